//! The redeem flow, in one place: a card asks to confirm, then redeems once with an Idempotency-Key
//! that every retry of the same intent reuses, then shows the code; a redemption updates the balance,
//! tells the live region and the host page, and drops the snapshot that holds the old balance.

use leptos::prelude::*;
use tally_core::{LimitKind, Redemption, Reward};

use super::Store;
use crate::api::{new_idempotency_key, ApiError};
use crate::browser::{self, Event};
use crate::i18n;

/// Where one card's redeem intent stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Idle,
    Confirm,
    Busy,
    Failed(ApiError),
    Done(Redemption),
}

/// Pending redeem intents (reward id → Idempotency-Key, kept across retries until one succeeds) and
/// the live region's text; `Copy`.
#[derive(Clone, Copy)]
pub struct Redeem {
    intents: StoredValue<Vec<(String, String)>>,
    /// Text for the polite live region.
    pub announcement: RwSignal<String>,
}

impl Redeem {
    pub fn new() -> Self {
        Self {
            intents: StoredValue::new(Vec::new()),
            announcement: RwSignal::new(String::new()),
        }
    }

    /// The Idempotency-Key of the pending intent to redeem `reward_id`, made on first use.
    pub fn key(&self, reward_id: &str) -> String {
        let existing = self.intents.with_value(|intents| {
            intents
                .iter()
                .find(|(id, _)| id == reward_id)
                .map(|(_, key)| key.clone())
        });
        existing.unwrap_or_else(|| {
            let key = new_idempotency_key();
            self.intents
                .update_value(|i| i.push((reward_id.to_owned(), key.clone())));
            key
        })
    }

    fn settled(&self, reward_id: &str) {
        self.intents
            .update_value(|i| i.retain(|(id, _)| id != reward_id));
    }

    /// Settles every intent whose name starts with `prefix` (the answers to the feedback question).
    pub(super) fn settle_prefix(&self, prefix: &str) {
        self.intents
            .update_value(|i| i.retain(|(id, _)| !id.starts_with(prefix)));
    }

    /// Another shopper: none of these intents are theirs.
    pub fn forget(&self) {
        self.intents.set_value(Vec::new());
    }
}

impl Default for Redeem {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// Redeems `reward` for the card whose flow is `step`: `Busy` until the answer, then `Done` or
    /// `Failed`. A click while busy does nothing.
    pub fn redeem(&self, reward: &Reward, step: RwSignal<Step>) {
        let Some(key) = self.begin_redeem(&reward.id, step) else {
            return;
        };
        let (store, id, name) = (*self, reward.id.clone(), reward.name.clone());
        let client = self.data.client.get_untracked();
        leptos::task::spawn_local(async move {
            let result = client.redeem(&id, &key).await;
            store.settle_redeem(&name, step, result);
        });
    }

    /// Moves `step` to `Busy` and returns the intent's key; `None` when it is busy already.
    pub fn begin_redeem(&self, reward_id: &str, step: RwSignal<Step>) -> Option<String> {
        if step.get_untracked() == Step::Busy {
            return None;
        }
        step.set(Step::Busy);
        Some(self.redeem.key(reward_id))
    }

    /// What the answer to a redeem call changes.
    pub fn settle_redeem(
        &self,
        reward_name: &str,
        step: RwSignal<Step>,
        result: Result<Redemption, ApiError>,
    ) {
        match result {
            Ok(redemption) => {
                self.redeem.settled(&redemption.reward_id);
                self.data.set_balance(redemption.balance);
                self.data
                    .count_use(LimitKind::Reward, &redemption.reward_id);
                // The new code under "Your codes" at once; the list is fetched again for the truth.
                self.data.codes.update(|c| c.add(redemption.clone()));
                self.data.load_codes();
                let m = self.messages();
                self.redeem.announcement.set(i18n::fill(
                    m.redeemed_announcement,
                    &[("reward", reward_name), ("code", &redemption.code)],
                ));
                // The snapshot now holds the old balance: drop it rather than show it on a reload.
                self.snapshot().forget_me();
                browser::emit(Event::Redeemed(&redemption));
                let _ = step.try_set(Step::Done(redemption));
            }
            Err(error) => {
                browser::warn(&format!("redeem failed: {error}"));
                browser::emit(Event::Error(&error));
                let _ = step.try_set(Step::Failed(error));
            }
        }
    }
}
