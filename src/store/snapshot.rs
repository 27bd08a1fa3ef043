//! The last view of a shopper, kept in sessionStorage so the next page of the shop shows it at once
//! while fresh data loads. Raw JSON as the API sent it, under `tally:v1:{api}:{shop}:{customer|guest}`.

use crate::browser;

/// Where one shopper's snapshot lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    key: String,
}

impl Snapshot {
    pub fn new(api: &str, shop: &str, customer: Option<&str>) -> Self {
        Self {
            key: format!("tally:v1:{api}:{shop}:{}", customer.unwrap_or("guest")),
        }
    }

    fn item(&self, part: &str) -> String {
        format!("{}:{part}", self.key)
    }

    /// The program's and the shopper's JSON, when a program was saved.
    pub fn read(&self) -> Option<(String, Option<String>)> {
        let program = browser::session_get(&self.item("program"))?;
        Some((program, browser::session_get(&self.item("me"))))
    }

    pub fn save_program(&self, text: &str) {
        browser::session_set(&self.item("program"), text);
    }

    pub fn save_me(&self, text: &str) {
        browser::session_set(&self.item("me"), text);
    }

    /// Drops the shopper's part, e.g. when it holds a balance that is no longer true.
    pub fn forget_me(&self) {
        browser::session_remove(&self.item("me"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shopper_of_each_shop_has_their_own_snapshot() {
        let ada = Snapshot::new("https://api.example", "demo", Some("ada"));
        let guest = Snapshot::new("https://api.example", "demo", None);
        ada.save_program("{}");
        ada.save_me(r#"{"balance":1}"#);
        assert_eq!(
            ada.read(),
            Some(("{}".to_owned(), Some(r#"{"balance":1}"#.to_owned())))
        );
        assert_eq!(guest.read(), None);
        assert_eq!(
            browser::session_get("tally:v1:https://api.example:demo:ada:program").as_deref(),
            Some("{}"),
            "the key format is what earlier versions wrote"
        );
    }

    #[test]
    fn forgetting_the_shopper_keeps_the_program() {
        let ada = Snapshot::new("a", "s", Some("ada"));
        ada.save_program("{}");
        ada.save_me("{}");
        ada.forget_me();
        assert_eq!(ada.read(), Some(("{}".to_owned(), None)));
    }
}
