use leptos::prelude::*;

/// How a button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variant {
    /// Outlined, for every action but the main one.
    #[default]
    Secondary,
    /// Filled with the primary colour: the one action a step is about.
    Primary,
    /// Outlined and tighter, for a row of small actions (copy, share).
    Small,
}

impl Variant {
    /// The element's classes: the block and its modifier, BEM-style.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Secondary => "tally-button",
            Self::Primary => "tally-button tally-button--primary",
            Self::Small => "tally-button tally-button--small",
        }
    }
}

/// A `<button type="button">`. Nothing in it is generic (a callback, a `TextProp`, no children, no
/// attribute spreading), so every button of the widget shares one compiled view: the wasm stays small.
///
/// ```ignore
/// <Button variant=Variant::Primary text=m.retry on_click=move |_| store.refresh()/>
/// ```
#[component]
pub fn Button(
    /// How it looks; outlined by default.
    #[prop(optional)]
    variant: Variant,
    /// What a click does.
    #[prop(into)]
    on_click: Callback<web_sys::MouseEvent>,
    /// The accessible name, when the text alone is not enough.
    #[prop(optional_no_strip)]
    label: Option<&'static str>,
    /// Not available now (`aria-disabled`, so it keeps the keyboard focus, unlike `disabled`).
    #[prop(optional)]
    inert: bool,
    /// Its action is under way (`aria-busy`).
    #[prop(optional)]
    busy: bool,
    /// The id of what says more about it, e.g. why it is not available (`aria-describedby`).
    #[prop(optional, into)]
    described_by: Option<String>,
    /// What it says (a text, or a closure for a text that changes).
    #[prop(into)]
    text: TextProp,
) -> impl IntoView {
    view! {
        <button
            class=variant.as_str()
            type="button"
            aria-label=label
            aria-disabled=inert.then_some("true")
            aria-busy=busy.then_some("true")
            aria-describedby=described_by
            on:click=move |ev| on_click.run(ev)
        >
            {move || text.get()}
        </button>
    }
}

/// A link that looks like a button, e.g. "Join now" to the shop's sign-up page.
#[component]
pub fn LinkButton(
    /// Where it goes.
    #[prop(into)]
    href: String,
    /// How it looks; outlined by default.
    #[prop(optional)]
    variant: Variant,
    /// Opens in a new tab, without giving that page a handle on this one.
    #[prop(optional)]
    new_tab: bool,
    /// What it says.
    text: &'static str,
) -> impl IntoView {
    view! {
        <a
            class=variant.as_str()
            href=href
            target=new_tab.then_some("_blank")
            rel=new_tab.then_some("noopener noreferrer")
        >
            {text}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_is_the_block_class_and_its_modifier() {
        assert_eq!(Variant::default().as_str(), "tally-button");
        assert_eq!(
            Variant::Primary.as_str(),
            "tally-button tally-button--primary"
        );
        assert_eq!(Variant::Small.as_str(), "tally-button tally-button--small");
    }
}
