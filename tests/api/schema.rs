//! `schema.graphql` is what the code exports.

#[test]
fn committed_sdl_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql exists");
    let current = switchboard::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql` and commit it"
    );
}
