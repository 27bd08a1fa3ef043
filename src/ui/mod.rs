//! The widget's building blocks: each renders one element with its classes, so views name a variant
//! instead of spelling class strings. Their styles are `style/button.css`, `card.css`, `notice.css`.

mod button;
mod card;
mod notice;

pub use button::{Button, LinkButton, Variant};
pub use card::Card;
pub use notice::{Notice, Tone};
