use leptos::prelude::*;

use super::{
    ActivityFeed, EarnList, ErrorState, GuestIntro, MemberSummary, Referral, RewardList, Skeleton,
    TierList, TierProgress,
};
use crate::state::{Load, Store};

/// What the panel shows: a skeleton while loading, the error with a retry, or the member's or
/// guest's view.
#[component]
pub fn Content() -> impl IntoView {
    let store = expect_context::<Store>();
    move || match store.load.get() {
        Load::Failed(error) => view! { <ErrorState error=error/> }.into_any(),
        Load::Loading => view! { <Skeleton/> }.into_any(),
        Load::Ready if store.me.with(Option::is_some) => view! {
            <MemberSummary/>
            <TierProgress/>
            <RewardList/>
            <EarnList/>
            <Referral/>
            <TierList/>
            <ActivityFeed/>
        }
        .into_any(),
        Load::Ready if store.is_member() => view! { <Skeleton/> }.into_any(),
        Load::Ready => view! {
            <GuestIntro/>
            <RewardList/>
            <EarnList/>
            <TierList/>
        }
        .into_any(),
    }
}
