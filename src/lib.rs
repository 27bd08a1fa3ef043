//! Tally's loyalty widget.
