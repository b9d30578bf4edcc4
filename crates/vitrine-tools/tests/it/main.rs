//! Integration tests of the tool catalog: schemas, function definitions, toolset filtering, and
//! tools run against a real `LocalStore` (real models from the fetch script's directory where needed).

mod catalog;
mod compose_tools;
mod core_tools;
mod image_tools;
mod media_tools;
mod providers;
mod reconstruct;
mod redaction;
mod support;
