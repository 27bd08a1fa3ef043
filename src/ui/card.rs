use leptos::html::Li;
use leptos::prelude::*;

/// A bordered card in a list (`<li>`): a reward, a tier.
#[component]
pub fn Card(
    /// The card's own classes besides `tally-card`, e.g. `tally-reward tally-reward--locked`.
    #[prop(into)]
    class: TextProp,
    /// The element, for a card that moves focus inside itself.
    #[prop(optional)]
    node_ref: NodeRef<Li>,
    /// The shopper's own (`aria-current`), e.g. their tier.
    #[prop(optional)]
    current: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <li
            class=move || format!("tally-card {}", class.get())
            aria-current=current.then_some("true")
            node_ref=node_ref
        >
            {children()}
        </li>
    }
}
