//! The program and the shopper, and how far their loading stands: what every view reads.

use leptos::prelude::*;
use tally_core::{Activity, ActivityPage, CodeStatus, LimitKind, Me, Program, Redemption};

use crate::api::{ApiError, Client};

/// Where loading stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    Loading,
    Ready,
    Failed(ApiError),
}

/// Pages of the shopper's activity loaded so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityList {
    pub items: Vec<Activity>,
    /// Cursor of the next (older) page; `None` after the last page.
    pub next: Option<String>,
    /// Whether the first page has arrived.
    pub started: bool,
    pub busy: bool,
    pub error: Option<ApiError>,
}

impl ActivityList {
    /// Whether another page may be asked for: none is on its way and the last has not arrived.
    pub fn wants_page(&self) -> bool {
        !self.busy && (!self.started || self.next.is_some())
    }

    /// Marks a page as asked for and returns its cursor (`Some(None)`: the first page); `None` while a
    /// page is on its way or after the last one.
    pub fn begin(&mut self) -> Option<Option<String>> {
        if !self.wants_page() {
            return None;
        }
        self.busy = true;
        self.error = None;
        Some(self.next.clone())
    }

    /// Takes the answer to [`Self::begin`]'s request.
    pub fn receive(&mut self, page: Result<ActivityPage, ApiError>) {
        self.busy = false;
        match page {
            Ok(page) => {
                self.items.extend(page.items);
                self.next = page.next;
                self.started = true;
            }
            Err(error) => self.error = Some(error),
        }
    }
}

/// The shopper's codes (their redemptions), loaded each time the panel opens: a code used at the
/// shop's checkout, cancelled or expired since changes its status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Codes {
    /// Newest first, as the API lists them.
    pub items: Vec<Redemption>,
    /// Whether a list has arrived.
    pub loaded: bool,
    pub error: Option<ApiError>,
    /// Requests made so far; the answer to an older one is dropped.
    asked: u32,
    answered: u32,
}

impl Codes {
    /// Whether a request is on its way.
    pub fn busy(&self) -> bool {
        self.asked != self.answered
    }

    /// Marks a request as made and returns its number.
    pub fn begin(&mut self) -> u32 {
        self.asked = self.asked.wrapping_add(1);
        self.error = None;
        self.asked
    }

    /// Takes the answer to request `ask`, unless a newer one was made since.
    pub fn receive(&mut self, ask: u32, list: Result<Vec<Redemption>, ApiError>) {
        if ask != self.asked {
            return;
        }
        self.answered = ask;
        match list {
            Ok(items) => {
                self.items = items;
                self.loaded = true;
            }
            Err(error) => self.error = Some(error),
        }
    }

    /// The codes still good at checkout, and those used, cancelled or expired.
    pub fn split(&self) -> (Vec<&Redemption>, Vec<&Redemption>) {
        self.items
            .iter()
            .partition(|r| r.status == CodeStatus::Issued)
    }

    /// A code just redeemed, shown at once, before the list is fetched again.
    pub fn add(&mut self, redemption: Redemption) {
        self.items.retain(|r| r.id != redemption.id);
        self.items.insert(0, redemption);
    }
}

/// The shopper's data and the client that fetches it; `Copy`, part of the [`super::Store`].
#[derive(Clone, Copy)]
pub struct Data {
    /// The API, as the shopper signed in now (or a guest).
    pub client: RwSignal<Client>,
    pub program: RwSignal<Option<Program>>,
    pub me: RwSignal<Option<Me>>,
    pub load: RwSignal<Load>,
    pub activity: RwSignal<ActivityList>,
    pub codes: RwSignal<Codes>,
    /// Bumped by every (re)load and sign-in, so an answer for an older shopper is dropped.
    generation: StoredValue<u32>,
}

impl Data {
    pub fn new(client: Client) -> Self {
        Self {
            client: RwSignal::new(client),
            program: RwSignal::new(None),
            me: RwSignal::new(None),
            load: RwSignal::new(Load::Loading),
            activity: RwSignal::new(ActivityList::default()),
            codes: RwSignal::new(Codes::default()),
            generation: StoredValue::new(0),
        }
    }

    /// Whether a shopper is signed in (tracked: views follow `setCustomer`).
    pub fn is_member(&self) -> bool {
        self.client.with(Client::is_member)
    }

    /// Starts a load and returns its generation; shows `Loading` only when there is nothing to show.
    pub fn begin_load(&self) -> u32 {
        let generation = self.generation.get_value().wrapping_add(1);
        self.generation.set_value(generation);
        if self.program.with_untracked(Option::is_none) {
            self.load.set(Load::Loading);
        }
        generation
    }

    /// Whether an answer of `generation` is still wanted (and the widget still mounted).
    pub fn is_current(&self, generation: u32) -> bool {
        self.generation.try_get_value() == Some(generation)
    }

    /// Shows a loaded (or remembered) program and shopper.
    pub fn show(&self, program: Program, me: Option<Me>) {
        self.program.set(Some(program));
        self.me.set(me);
        self.load.set(Load::Ready);
    }

    /// A failed load: a stale view stays, unless there is none or the signature was refused.
    pub fn fail(&self, error: ApiError) {
        let member = self.client.with_untracked(Client::is_member);
        let stale = self.program.with_untracked(Option::is_some)
            && (!member || self.me.with_untracked(Option::is_some));
        if !stale || error == ApiError::Unauthorized {
            self.load.set(Load::Failed(error));
        }
    }

    /// Another shopper (or a guest): their data is not this one's.
    pub fn sign_in(&self, client: Client) {
        self.generation.update_value(|g| *g = g.wrapping_add(1));
        self.client.set(client);
        self.me.set(None);
        self.activity.set(ActivityList::default());
        self.codes.set(Codes::default());
        self.load.set(Load::Loading);
    }

    /// Loads the next page of activity (the first one if none yet).
    pub fn load_activity(&self) {
        // Asked first without a write: a refused request must not re-render the list.
        if !self.activity.with_untracked(ActivityList::wants_page) {
            return;
        }
        let Some(cursor) = self.activity.try_update(ActivityList::begin).flatten() else {
            return;
        };
        let data = *self;
        let client = self.client.get_untracked();
        let generation = self.generation.get_value();
        leptos::task::spawn_local(async move {
            let page = client.activity(cursor.as_deref()).await;
            if data.is_current(generation) {
                data.activity.update(|a| a.receive(page));
            }
        });
    }

    /// Fetches the shopper's codes; the list shown stays until the new one arrives, and only the
    /// answer to the latest request is taken (a redemption asks again while the panel's load runs).
    pub fn load_codes(&self) {
        let Some(ask) = self.codes.try_update(Codes::begin) else {
            return;
        };
        let data = *self;
        let client = self.client.get_untracked();
        let generation = self.generation.get_value();
        leptos::task::spawn_local(async move {
            let list = client.redemptions().await;
            if data.is_current(generation) {
                data.codes.update(|c| c.receive(ask, list));
            }
        });
    }

    /// Counts one use against the limit of a reward or an earn rule, until `/me` is read again.
    pub fn count_use(&self, kind: LimitKind, id: &str) {
        self.me.update(|me| {
            let usage = me
                .as_mut()
                .and_then(|me| me.limits.iter_mut().find(|l| l.kind == kind && l.id == id));
            if let Some(usage) = usage {
                usage.used += 1;
            }
        });
    }

    /// The shopper's balance after a redemption; older pages of activity no longer tell the truth.
    pub fn set_balance(&self, balance: i64) {
        self.me.update(|me| {
            if let Some(me) = me {
                me.balance = balance;
            }
        });
        self.activity.set(ActivityList::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize, next: Option<&str>) -> ActivityPage {
        let item = Activity {
            id: "e-1".into(),
            kind: tally_core::ActivityKind::Earn,
            points: 10,
            balance_after: 10,
            description: "Order".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        ActivityPage {
            items: vec![item; n],
            next: next.map(str::to_owned),
            notes: vec![],
        }
    }

    #[test]
    fn activity_is_asked_for_one_page_at_a_time_until_the_last() {
        let mut list = ActivityList::default();
        assert_eq!(list.begin(), Some(None), "the first page has no cursor");
        assert_eq!(
            list.begin(),
            None,
            "no second request while one is on its way"
        );
        list.receive(Ok(page(20, Some("c20"))));
        assert_eq!(list.begin(), Some(Some("c20".to_owned())));
        list.receive(Ok(page(3, None)));
        assert_eq!(list.items.len(), 23);
        assert_eq!(list.begin(), None, "after the last page");
    }

    fn code(id: &str, status: CodeStatus) -> Redemption {
        Redemption {
            id: id.into(),
            reward_id: "5off".into(),
            code: format!("CODE-{id}"),
            points_spent: 100,
            balance: 0,
            created_at: "2026-01-01T00:00:00Z".into(),
            status,
            expires_at: None,
        }
    }

    #[test]
    fn codes_still_good_are_apart_from_used_cancelled_and_expired_ones() {
        let codes = Codes {
            items: vec![
                code("a", CodeStatus::Issued),
                code("b", CodeStatus::Used),
                code("c", CodeStatus::Expired),
                code("d", CodeStatus::Issued),
                code("e", CodeStatus::Cancelled),
            ],
            ..Codes::default()
        };
        let (good, past) = codes.split();
        let ids = |list: Vec<&Redemption>| list.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(good), ["a", "d"], "newest first, as listed");
        assert_eq!(ids(past), ["b", "c", "e"]);
    }

    #[test]
    fn only_the_answer_to_the_latest_request_for_codes_is_taken() {
        let mut codes = Codes::default();
        let first = codes.begin();
        let second = codes.begin();
        assert!(codes.busy());
        codes.receive(first, Ok(vec![]));
        assert!(!codes.loaded, "an older answer is dropped");
        codes.receive(second, Ok(vec![code("a", CodeStatus::Issued)]));
        assert!(codes.loaded && !codes.busy());
        assert_eq!(codes.items.len(), 1);
    }

    #[test]
    fn a_code_just_redeemed_comes_first_and_once() {
        let mut codes = Codes {
            items: vec![code("a", CodeStatus::Issued)],
            ..Codes::default()
        };
        codes.add(code("b", CodeStatus::Issued));
        codes.add(code("b", CodeStatus::Issued));
        assert_eq!(codes.items.len(), 2);
        assert_eq!(codes.items[0].id, "b");
    }

    #[test]
    fn a_failed_page_can_be_asked_for_again() {
        let mut list = ActivityList::default();
        list.begin();
        list.receive(Err(ApiError::Network));
        assert_eq!(list.error, Some(ApiError::Network));
        assert_eq!(list.begin(), Some(None));
        assert_eq!(list.error, None);
    }
}
