//! Skills: saved or inline bundles that change what a request runs.
//!
//! - [`bundle`]: untrusted zips checked and read (`SKILL.md`, `plan.json`), and written.
//! - [`request`]: a request's `skills` resolved (stored by id or name, or inline) and run: a
//!   skill with `plan.json` runs its program with no planner; one with only `SKILL.md`
//!   guides the LLM planner.

pub(crate) mod bundle;
pub(crate) mod request;

pub(crate) use request::{lookup, run};
