//! The form's building blocks: labelled inputs bound to one field of the edited program, each showing the
//! problems tally-core's rules find on its field path, beside it, as the merchant types.

use leptos::prelude::*;
use tally_core::rules::FieldProblem;

use crate::state::use_console;

/// The problems of the program being edited, shared by every field of the form.
#[derive(Clone, Copy)]
pub struct FieldProblems(pub Memo<Vec<FieldProblem>>);

/// A DOM id for a field path: `tiers[1].threshold` → `f-tiers-1-threshold`.
pub fn dom_id(path: &str) -> String {
    let mut id = String::from("f-");
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// What a number field's text means: a whole number within `min..=max`, nothing (when `optional`), or a
/// problem to show until the merchant fixes the text.
pub fn parse_whole(text: &str, optional: bool, min: i64, max: i64) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return if optional {
            Ok(None)
        } else {
            Err("required".to_owned())
        };
    }
    match text.parse::<i64>() {
        Ok(n) if n < min => Err(format!("must be ≥ {min}, not {n}")),
        Ok(n) if n > max => Err(format!("must be ≤ {max}, not {n}")),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// A getter and a setter of one field of a signal's value.
pub fn lens<S, T>(
    source: RwSignal<S>,
    get: impl Fn(&S) -> T + Send + Sync + 'static,
    set: impl Fn(&mut S, T) + Send + Sync + 'static,
) -> (Signal<T>, Callback<T>)
where
    S: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    (
        Signal::derive(move || source.with(|s| get(s))),
        Callback::new(move |v: T| source.update(|s| set(s, v))),
    )
}

/// The problems found on exactly `path`, for a field's message line.
#[component]
pub fn ProblemText(
    #[prop(into)] path: String,
    #[prop(optional)] local: Option<RwSignal<Option<String>>>,
) -> impl IntoView {
    let problems = use_context::<FieldProblems>();
    let id = format!("{}-problem", dom_id(&path));
    let mine = move || {
        let mut found: Vec<String> = problems
            .map(|p| {
                p.0.with(|all| {
                    all.iter()
                        .filter(|p| p.path == path)
                        .map(|p| p.message.clone())
                        .collect()
                })
            })
            .unwrap_or_default();
        if let Some(local) = local.and_then(|l| l.get()) {
            found.insert(0, local);
        }
        found
    };
    view! {
        <p class="problem" id=id role="status">
            {move || mine().join(" · ")}
        </p>
    }
}

/// Whether `path` (exactly) has a problem now.
pub fn has_problem(path: &str) -> bool {
    use_context::<FieldProblems>()
        .map(|p| p.0.with(|all| all.iter().any(|p| p.path == path)))
        .unwrap_or(false)
}

/// A labelled text input.
#[component]
pub fn TextField(
    /// Message key of the label.
    label: &'static str,
    /// The field's path in the program (for its problems and its id).
    #[prop(into)]
    path: String,
    value: Signal<String>,
    set: Callback<String>,
    #[prop(optional)] multiline: bool,
    #[prop(optional, into)] input_type: Option<&'static str>,
) -> impl IntoView {
    let console = use_console();
    let id = dom_id(&path);
    let described = format!("{id}-problem");
    let p = path.clone();
    let invalid = move || has_problem(&p).to_string();
    let input = if multiline {
        view! {
            <textarea id=id.clone() aria-describedby=described.clone() aria-invalid=invalid
                prop:value=move || value.get()
                on:input=move |ev| set.run(event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type=input_type.unwrap_or("text") aria-describedby=described.clone()
                aria-invalid=invalid prop:value=move || value.get()
                on:input=move |ev| set.run(event_target_value(&ev)) />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{move || console.t(label)}</label>
            {input}
            <ProblemText path=path />
        </div>
    }
}

/// A labelled whole-number input; text that is not a number keeps its own problem and leaves the program
/// as it was.
#[component]
pub fn NumberField(
    label: &'static str,
    #[prop(into)] path: String,
    value: Signal<Option<i64>>,
    set: Callback<Option<i64>>,
    #[prop(optional)] optional: bool,
    #[prop(default = i64::MIN)] min: i64,
    #[prop(default = i64::MAX)] max: i64,
) -> impl IntoView {
    let console = use_console();
    let id = dom_id(&path);
    let described = format!("{id}-problem");
    let text = RwSignal::new(
        value
            .get_untracked()
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let local = RwSignal::new(None::<String>);
    // Follows the program when it changes from elsewhere (a discarded edit, a restore).
    Effect::new(move |_| {
        let v = value.get();
        let shown = parse_whole(&text.get_untracked(), true, i64::MIN, i64::MAX)
            .ok()
            .flatten();
        if shown != v && local.get_untracked().is_none() {
            text.set(v.map(|v| v.to_string()).unwrap_or_default());
        }
    });
    let p = path.clone();
    let invalid = move || (local.with(Option::is_some) || has_problem(&p)).to_string();
    view! {
        <div class="field">
            <label for=id.clone()>{move || console.t(label)}</label>
            <input id=id type="text" inputmode="numeric" aria-describedby=described aria-invalid=invalid
                prop:value=move || text.get()
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    text.set(typed.clone());
                    match parse_whole(&typed, optional, min, max) {
                        Ok(v) => {
                            local.set(None);
                            set.run(v);
                        }
                        Err(why) => local.set(Some(why)),
                    }
                } />
            <ProblemText path=path local=local />
        </div>
    }
}

/// A labelled decimal input (a tier's multiplier).
#[component]
pub fn DecimalField(
    label: &'static str,
    #[prop(into)] path: String,
    value: Signal<f64>,
    set: Callback<f64>,
) -> impl IntoView {
    let console = use_console();
    let id = dom_id(&path);
    let described = format!("{id}-problem");
    let text = RwSignal::new(value.get_untracked().to_string());
    let local = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let v = value.get();
        if text.get_untracked().trim().parse::<f64>().ok() != Some(v)
            && local.get_untracked().is_none()
        {
            text.set(v.to_string());
        }
    });
    let p = path.clone();
    let invalid = move || (local.with(Option::is_some) || has_problem(&p)).to_string();
    view! {
        <div class="field">
            <label for=id.clone()>{move || console.t(label)}</label>
            <input id=id type="text" inputmode="decimal" aria-describedby=described aria-invalid=invalid
                prop:value=move || text.get()
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    text.set(typed.clone());
                    match typed.trim().parse::<f64>() {
                        Ok(v) => {
                            local.set(None);
                            set.run(v);
                        }
                        Err(_) => local.set(Some(format!("{typed:?} is not a number"))),
                    }
                } />
            <ProblemText path=path local=local />
        </div>
    }
}

/// A labelled select; `options` are (value, message key of its label).
#[component]
pub fn SelectField(
    label: &'static str,
    #[prop(into)] path: String,
    options: Signal<Vec<(String, String)>>,
    value: Signal<String>,
    set: Callback<String>,
) -> impl IntoView {
    let console = use_console();
    let id = dom_id(&path);
    let described = format!("{id}-problem");
    view! {
        <div class="field">
            <label for=id.clone()>{move || console.t(label)}</label>
            <select id=id aria-describedby=described
                on:change=move |ev| set.run(event_target_value(&ev))
                prop:value=move || value.get()>
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, text)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{text}</option> }
                        })
                        .collect_view()
                }}
            </select>
            <ProblemText path=path />
        </div>
    }
}

/// A labelled checkbox.
#[component]
pub fn CheckField(
    label: &'static str,
    #[prop(into)] id: String,
    value: Signal<bool>,
    set: Callback<bool>,
) -> impl IntoView {
    let console = use_console();
    view! {
        <div class="check">
            <input type="checkbox" id=id.clone() prop:checked=move || value.get()
                on:change=move |ev| set.run(event_target_checked(&ev)) />
            <label for=id>{move || console.t(label)}</label>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_path_becomes_a_valid_dom_id() {
        assert_eq!(dom_id("tiers[1].threshold"), "f-tiers-1-threshold");
        assert_eq!(dom_id("theme.colors.primary"), "f-theme-colors-primary");
    }

    #[test]
    fn number_text_is_a_number_nothing_or_a_problem() {
        assert_eq!(parse_whole(" 42 ", false, 0, 100), Ok(Some(42)));
        assert_eq!(parse_whole("", true, 0, 100), Ok(None));
        assert!(parse_whole("", false, 0, 100).is_err());
        assert!(parse_whole("4x", true, 0, 100).is_err());
        assert!(parse_whole("-1", true, 0, 100).is_err());
    }
}
