//! The registry of tools, filterable by toolset and listable as OpenAI function definitions.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::context::ToolContext;
use crate::tool::{Tool, Toolset};
use crate::tools;

/// Every tool Vitrine offers, by name.
#[derive(Clone)]
pub struct ToolCatalog {
    tools: Vec<Arc<dyn Tool>>,
}

impl std::fmt::Debug for ToolCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.tools.iter().map(|tool| tool.name()))
            .finish()
    }
}

impl Default for ToolCatalog {
    fn default() -> Self {
        ToolCatalog::standard()
    }
}

impl ToolCatalog {
    /// An empty catalog.
    pub fn empty() -> Self {
        ToolCatalog { tools: Vec::new() }
    }

    /// Every built-in tool.
    pub fn standard() -> Self {
        let mut catalog = ToolCatalog::empty();
        for tool in tools::all() {
            catalog.register(tool);
        }
        catalog
    }

    /// Adds (or replaces, by name) a tool.
    pub fn register(&mut self, tool: Arc<dyn Tool>) {
        self.tools.retain(|existing| existing.name() != tool.name());
        self.tools.push(tool);
    }

    /// The tool called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Tool>> {
        self.tools.iter().find(|tool| tool.name() == name)
    }

    /// Every tool, in registration order.
    pub fn tools(&self) -> impl Iterator<Item = &Arc<dyn Tool>> {
        self.tools.iter()
    }

    /// Only the tools of the given toolsets.
    pub fn filtered(&self, toolsets: &BTreeSet<Toolset>) -> ToolCatalog {
        ToolCatalog {
            tools: self
                .tools
                .iter()
                .filter(|tool| toolsets.contains(&tool.toolset()))
                .cloned()
                .collect(),
        }
    }

    /// Only the tools that can run in `cx`: those needing an external provider are left out
    /// when it is not configured.
    pub fn runnable_in(&self, cx: &ToolContext) -> ToolCatalog {
        ToolCatalog {
            tools: self
                .tools
                .iter()
                .filter(|tool| tool.requires().is_none_or(|provider| cx.has(provider)))
                .cloned()
                .collect(),
        }
    }

    /// The tools as OpenAI chat-completions function definitions
    /// (`{"type": "function", "function": {name, description, parameters}}`).
    pub fn function_definitions(&self) -> Vec<Value> {
        self.tools
            .iter()
            .map(|tool| {
                json!({
                    "type": "function",
                    "function": {
                        "name": tool.name(),
                        "description": tool.description(),
                        "parameters": tool.parameters(),
                    }
                })
            })
            .collect()
    }
}
