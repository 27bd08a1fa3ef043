fn main() {
    leptos::mount::mount_to_body(tally_console::app::App);
}
