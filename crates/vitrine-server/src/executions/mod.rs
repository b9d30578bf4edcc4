//! Executions: agent work that outlives its HTTP request.
//!
//! `POST /v1/agent/execute` turns a request into a [`job::Job`] and puts it in
//! the store's durable queue ([`vitrine_store::ExecutionQueue`]); workers
//! ([`runner`]) claim jobs under a per-tenant limit, run each as a chat request
//! through the same core as `/v1/chat/completions`, record the outcome, and
//! POST it to the job's `callback_url` ([`webhook`]). Progress is a live feed
//! per execution ([`feed`]); [`view`] shapes what clients read.

pub(crate) mod feed;
pub(crate) mod job;
pub(crate) mod runner;
pub(crate) mod view;
pub(crate) mod webhook;

pub(crate) use runner::{CANCELLED, Executions, start, stop};
