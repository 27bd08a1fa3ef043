use leptos::prelude::*;

use super::{
    ActivityFeed, EarnList, ErrorState, FeedbackPrompt, GuestIntro, MemberSummary, Referral,
    RewardList, Skeleton, TierList, TierProgress, YourCodes,
};
use crate::store::{Load, Store};

#[derive(Clone, PartialEq)]
enum View {
    Loading,
    Failed(crate::api::ApiError),
    Member,
    Guest,
}

/// What the panel shows: a skeleton while loading, the error with a retry, or the member's or
/// guest's view.
#[component]
pub fn Content() -> impl IntoView {
    let store = expect_context::<Store>();
    // Only a change of view kind re-renders: a new balance must not reset a reward's redeem step.
    let kind = Memo::new(move |_| match store.data.load.get() {
        Load::Failed(error) => View::Failed(error),
        Load::Loading => View::Loading,
        Load::Ready if store.data.me.with(Option::is_some) => View::Member,
        Load::Ready if store.is_member() => View::Loading,
        Load::Ready => View::Guest,
    });
    move || match kind.get() {
        View::Failed(error) => view! { <ErrorState error=error/> }.into_any(),
        View::Loading => view! { <Skeleton/> }.into_any(),
        View::Member => view! {
            <MemberSummary/>
            <TierProgress/>
            <RewardList/>
            <YourCodes/>
            <EarnList/>
            <FeedbackPrompt/>
            <Referral/>
            <TierList/>
            <ActivityFeed/>
        }
        .into_any(),
        View::Guest => view! {
            <GuestIntro/>
            <RewardList/>
            <EarnList/>
            <TierList/>
        }
        .into_any(),
    }
}
