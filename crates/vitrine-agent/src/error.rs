//! The agent's error type, classified at the source so the server maps it to a status without
//! looking inside.

use vitrine_store::StoreError;
use vitrine_tools::ToolError;

/// Everything that can stop a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The offline planner did not recognise any task in the instruction.
    #[error(
        "the offline planner could not work out what to do with \"{instruction}\". It understands these requests: {capabilities}. Free-form requests need an LLM planner (`--llm-base-url` and `--llm-model`, or `VITRINE_LLM_BASE_URL` and `VITRINE_LLM_MODEL`), which is not configured here."
    )]
    NotUnderstood {
        /// The instruction as received (shortened).
        instruction: String,
        /// What it can do, as a readable list.
        capabilities: String,
    },
    /// Everything the request asks for is beyond what is here (or needs media not attached).
    #[error("{}", not_possible_message(not_done))]
    NotPossible {
        /// The parts not done, each with why.
        not_done: Vec<crate::planner::NotDone>,
    },
    /// The response schema cannot be filled from what ran.
    #[error("the response schema cannot be satisfied: field `{field}`: {why}")]
    SchemaUnsatisfiable {
        /// JSON path of the field, e.g. `notes` or `items[0].image`.
        field: String,
        /// Why not.
        why: String,
    },
    /// The response schema itself is not a usable JSON Schema.
    #[error("the response schema is invalid: {0}")]
    InvalidSchema(String),
    /// The inputs do not fit the request (missing, or of the wrong kind).
    #[error("{0}")]
    WrongInput(String),
    /// The plan needs a tool outside the request's `toolsets`.
    #[error(
        "this request needs the tool `{tool}` from the toolset `{toolset}`, but the request's `toolsets` allow only: {allowed}; add `{toolset}` to `toolsets`{}",
        if toolset == "web" { " (`web` is opt-in: a request without `toolsets` does not open web pages)" } else { " or leave `toolsets` out" }
    )]
    ToolNotAllowed {
        /// The tool.
        tool: String,
        /// Its toolset.
        toolset: String,
        /// The toolsets the request allowed.
        allowed: String,
    },
    /// A plan failed validation.
    #[error("invalid plan: step `{step}`: {message}")]
    InvalidPlan {
        /// The step at fault (or `plan`).
        step: String,
        /// What is wrong.
        message: String,
    },
    /// A tool failed.
    #[error("step `{step}` (`{tool}`) failed: {source}")]
    Tool {
        /// The step.
        step: String,
        /// The tool.
        tool: String,
        /// What the tool reported (boxed: tool errors are large and rare).
        #[source]
        source: Box<ToolError>,
    },
    /// A step or the whole request ran out of time.
    #[error("{what} took longer than the limit of {seconds} s")]
    Timeout {
        /// What timed out: a step or the request.
        what: String,
        /// The limit.
        seconds: u64,
    },
    /// A skill's bundle or saved plan is not usable.
    #[error("invalid skill: {0}")]
    InvalidSkill(String),
    /// A skill needs the LLM planner, which is not configured.
    #[error(
        "{why} needs an LLM planner, which is not configured here; start the server with `--llm-base-url` and `--llm-model` (or `VITRINE_LLM_BASE_URL` and `VITRINE_LLM_MODEL`)"
    )]
    LlmRequired {
        /// What needs it, e.g. "the skill `x` (it has no `plan.json`)".
        why: String,
    },
    /// The configured LLM planner failed (unreachable, bad reply, too many turns).
    #[error("the LLM planner failed: {0}")]
    Llm(String),
    /// Reading the inputs from the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AgentError {
    /// The store's failure behind this error, whether the agent or a tool's write met it:
    /// quotas and a full disk answer the same way wherever they were reached.
    pub fn store_error(&self) -> Option<&StoreError> {
        match self {
            AgentError::Store(error) => Some(error),
            AgentError::Tool { source, .. } => match source.as_ref() {
                ToolError::Store(error) => Some(error),
                _ => None,
            },
            _ => None,
        }
    }

    /// True when the caller can fix the problem by changing the request.
    pub fn is_client_error(&self) -> bool {
        match self {
            AgentError::NotUnderstood { .. }
            | AgentError::NotPossible { .. }
            | AgentError::SchemaUnsatisfiable { .. }
            | AgentError::InvalidSchema(_)
            | AgentError::WrongInput(_)
            | AgentError::InvalidSkill(_)
            | AgentError::ToolNotAllowed { .. } => true,
            AgentError::InvalidPlan { .. }
            | AgentError::Timeout { .. }
            | AgentError::Llm(_)
            | AgentError::LlmRequired { .. } => false,
            AgentError::Tool { source, .. } => source.is_client_error(),
            AgentError::Store(error) => error.is_client_error(),
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AgentError::NotUnderstood { .. } => "instruction_not_understood",
            AgentError::NotPossible { .. } => "not_possible",
            AgentError::SchemaUnsatisfiable { .. } => "schema_unsatisfiable",
            AgentError::InvalidSchema(_) => "invalid_response_schema",
            AgentError::WrongInput(_) => "wrong_input",
            AgentError::ToolNotAllowed { .. } => "tool_not_allowed",
            AgentError::InvalidPlan { .. } => "invalid_plan",
            AgentError::Tool { source, .. } => source.code(),
            AgentError::Timeout { .. } => "timeout",
            AgentError::Llm(_) => "llm_planner_failed",
            AgentError::InvalidSkill(_) => "invalid_skill",
            // The server answers 501 for this code, as for any unconfigured provider.
            AgentError::LlmRequired { .. } => "not_configured",
            AgentError::Store(error) => error.code(),
        }
    }

    /// What a client may be told: for a failed provider, what went wrong but not where it
    /// lives (the full message, with its URL, is for the server's log).
    pub fn public_message(&self) -> String {
        match self {
            AgentError::Tool { step, tool, source } => {
                format!(
                    "step `{step}` (`{tool}`) failed: {}",
                    source.public_message()
                )
            }
            other => other.to_string(),
        }
    }

    /// The request parameter at fault, for the error envelope's `param`.
    pub fn param(&self) -> Option<&'static str> {
        match self {
            AgentError::NotUnderstood { .. } | AgentError::WrongInput(_) => Some("messages"),
            AgentError::SchemaUnsatisfiable { .. } | AgentError::InvalidSchema(_) => {
                Some("response_format")
            }
            AgentError::ToolNotAllowed { .. } => Some("toolsets"),
            AgentError::InvalidSkill(_) => Some("skills"),
            _ => None,
        }
    }
}

/// "Nothing was done. I cannot animate a still image: …" for every part not done.
fn not_possible_message(not_done: &[crate::planner::NotDone]) -> String {
    let reasons: Vec<&str> = not_done.iter().map(|part| part.why.as_str()).collect();
    format!("Nothing was done. {}", reasons.join(" "))
}
