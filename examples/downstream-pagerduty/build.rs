fn main() -> Result<(), Box<dyn std::error::Error>> {
    specwright_codegen::Generator::new("../../../shared/corpus/pagerduty/reference/REST/openapiv3.json")
        .module_name("pagerduty")
        .generate()?;
    Ok(())
}
