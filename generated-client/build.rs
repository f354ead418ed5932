//! Generates the OpenApp SDK from the project's flagship spec.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    specwright_codegen::Generator::new("../specs/openapp.yaml").module_name("openapp").generate()?;
    Ok(())
}
