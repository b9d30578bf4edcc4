//! Integration tests of the agent: a real `LocalStore` in a temp dir, the real models from
//! the models dir (run `scripts/fetch-models.sh`), real ffmpeg and poppler.

mod corpus;
mod everyday;
mod executor;
mod image_gen;
mod llm;
mod providers;
mod redaction;
mod refusals;
mod support;
