use leptos::prelude::*;

/// What a notice tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    /// Worth knowing, e.g. points that expire soon: a tinted box.
    #[default]
    Info,
    /// Something failed: said at once to screen readers (`role="alert"`), in the danger colour.
    Error,
}

impl Tone {
    /// The element's classes, BEM-style.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "tally-notice",
            Self::Error => "tally-notice tally-notice--error",
        }
    }
}

/// A line the shopper should not miss.
#[component]
pub fn Notice(
    /// Information (default) or an error.
    #[prop(optional)]
    tone: Tone,
    /// What it says.
    #[prop(into)]
    text: String,
) -> impl IntoView {
    let role = (tone == Tone::Error).then_some("alert");
    view! { <p class=tone.as_str() role=role>{text}</p> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_notice_is_a_notice_with_the_error_modifier() {
        assert_eq!(Tone::default().as_str(), "tally-notice");
        assert_eq!(Tone::Error.as_str(), "tally-notice tally-notice--error");
    }
}
