//! One component per file; all read the shared [`crate::store::Store`] from context.

mod activity_feed;
mod app;
mod content;
mod copy_button;
mod earn_list;
mod error_state;
mod feedback_prompt;
mod guest_intro;
mod launcher;
mod member_summary;
mod panel;
mod referral;
mod reward_card;
mod reward_list;
mod skeleton;
mod tier_list;
mod tier_progress;
mod your_codes;

pub use activity_feed::ActivityFeed;
pub use app::App;
pub use content::Content;
pub use copy_button::CopyButton;
pub use earn_list::EarnList;
pub use error_state::ErrorState;
pub use feedback_prompt::FeedbackPrompt;
pub use guest_intro::GuestIntro;
pub use launcher::Launcher;
pub use member_summary::MemberSummary;
pub use panel::Panel;
pub use referral::Referral;
pub use reward_card::RewardCard;
pub use reward_list::RewardList;
pub use skeleton::Skeleton;
pub use tier_list::TierList;
pub use tier_progress::TierProgress;
pub use your_codes::YourCodes;
