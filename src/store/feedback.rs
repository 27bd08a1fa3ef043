//! The feedback question (NPS): when it is asked, the answer being written, and sending it once with an
//! Idempotency-Key like a redemption. After an answer `/me` says when the next may come
//! (`next_feedback_at`); until the next load the store keeps that itself, and a `feedback_too_soon` from
//! the server (an answer from another tab) ends the prompt just the same.

use leptos::prelude::*;
use tally_core::FeedbackResult;

use super::Store;
use crate::api::ApiError;
use crate::browser::{self, Event};

/// The name of a feedback intent among the redeem intents: no reward id has a `?`.
const INTENT: &str = "?feedback:";

/// A comment's most characters, as the contract allows.
pub const MAX_COMMENT: usize = 2000;

/// The answer being written and what became of it; `Copy`.
#[derive(Clone, Copy)]
pub struct Feedback {
    /// 0 to 10, once chosen.
    pub score: RwSignal<Option<u8>>,
    pub comment: RwSignal<String>,
    pub busy: RwSignal<bool>,
    /// A send that failed and may be tried again.
    pub error: RwSignal<Option<ApiError>>,
    /// How it ended: the answer taken, or `FeedbackTooSoon`.
    pub outcome: RwSignal<Option<Result<FeedbackResult, ApiError>>>,
}

impl Feedback {
    pub fn new() -> Self {
        Self {
            score: RwSignal::new(None),
            comment: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            outcome: RwSignal::new(None),
        }
    }

    /// Another shopper: nothing of this answer is theirs.
    pub fn forget(&self) {
        self.score.set(None);
        self.comment.set(String::new());
        self.busy.set(false);
        self.error.set(None);
        self.outcome.set(None);
    }
}

impl Default for Feedback {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// Whether the program asks for feedback and this shopper may answer now (tracked).
    pub fn feedback_due(&self) -> bool {
        self.data
            .program
            .with(|p| p.as_ref().is_some_and(|p| p.rules.feedback.is_some()))
            && self.data.me.with(|me| {
                me.as_ref()
                    .is_some_and(|me| me.next_feedback_at.as_deref().is_none_or(browser::is_past))
            })
    }

    /// Sends the answer: busy until the server answers, then thanks or the error.
    pub fn send_feedback(&self) {
        let Some((score, comment, key)) = self.begin_feedback() else {
            return;
        };
        let store = *self;
        let client = self.data.client.get_untracked();
        leptos::task::spawn_local(async move {
            let result = client.feedback(score, &comment, &key).await;
            store.settle_feedback(result);
        });
    }

    /// The score, the comment and the Idempotency-Key of this answer; `None` while one is on its way
    /// or before a score is chosen. The key follows the answer: a retry of the same answer reuses it,
    /// an answer changed after a failure is a new intent.
    pub fn begin_feedback(&self) -> Option<(u8, String, String)> {
        let f = self.feedback;
        if f.busy.get_untracked() {
            return None;
        }
        let score = f.score.get_untracked()?;
        let comment: String = f
            .comment
            .with_untracked(|c| c.trim().chars().take(MAX_COMMENT).collect());
        f.busy.set(true);
        f.error.set(None);
        let key = self.redeem.key(&format!("{INTENT}{score}:{comment}"));
        Some((score, comment, key))
    }

    /// What the answer to a feedback call changes.
    pub fn settle_feedback(&self, result: Result<FeedbackResult, ApiError>) {
        let f = self.feedback;
        let _ = f.busy.try_set(false);
        match result {
            Ok(answer) => {
                self.redeem.settle_prefix(INTENT);
                self.data.set_balance(answer.balance);
                self.data.me.update(|me| {
                    if let Some(me) = me {
                        me.next_feedback_at = Some(answer.next_allowed_at.clone());
                    }
                });
                // The snapshot holds the old balance and no date for the next question.
                self.snapshot().forget_me();
                self.redeem
                    .announcement
                    .set(self.messages().feedback_thanks.to_owned());
                f.outcome.set(Some(Ok(answer)));
            }
            Err(ApiError::FeedbackTooSoon) => {
                self.redeem.settle_prefix(INTENT);
                f.outcome.set(Some(Err(ApiError::FeedbackTooSoon)));
            }
            Err(error) => {
                browser::warn(&format!("feedback failed: {error}"));
                browser::emit(Event::Error(&error));
                f.error.set(Some(error));
            }
        }
    }
}
