//! One graph (issue 9): `agents` and `supervisors` over every vendor without naming one,
//! merged in one documented order and paged with cursors that hold each vendor's
//! position; the filters; the same person's accounts across vendors (`linkedAgents`,
//! matched by normalised email); the edges `supervisors`, `user`, `presence`, `teams`
//! and `User.agent`; and a failing vendor that leaves the rest of the answer whole.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};
use switchboard::sim::{dixa, huawei, roster::PEOPLE, webex};

use crate::helpers::{TestApp, first_code, spawn_app};

/// One agent account as its vendor (or, for Vonage, `users`) lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Account {
    vendor: String,
    vendor_id: String,
    name: String,
}

/// The documented order: normalised display name, then vendor, then vendor id.
fn order_key(a: &Account) -> (String, usize, String) {
    let name = a
        .name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let vendor = ["WEBEX", "HUAWEI_AICC", "DIXA", "VONAGE"]
        .iter()
        .position(|v| *v == a.vendor)
        .expect("a known vendor");
    (name, vendor, a.vendor_id.clone())
}

fn account(vendor: &str, node: &Value) -> Account {
    Account {
        vendor: vendor.to_owned(),
        vendor_id: node["vendorId"].as_str().expect("vendorId").to_owned(),
        name: node["displayName"].as_str().unwrap_or_default().to_owned(),
    }
}

fn nodes(connection: &Value) -> Vec<Value> {
    connection["nodes"]
        .as_array()
        .or(connection["edges"].as_array())
        .expect("a connection")
        .iter()
        .map(|n| {
            if n.get("node").is_some() {
                n["node"].clone()
            } else {
                n.clone()
            }
        })
        .collect()
}

/// Dixa's own list of agents, read from the simulator (the graph has no Dixa-only list of
/// every agent).
async fn dixa_agents(app: &TestApp) -> Vec<Account> {
    let url = format!("http://{}/dixa/v1/agents?pageLimit=500", app.sims.addr);
    let body: Value = app
        .client
        .get(url)
        .header("authorization", dixa::DEMO_TOKEN)
        .send()
        .await
        .expect("Dixa answers")
        .json()
        .await
        .expect("JSON");
    assert!(body["meta"]["next"].is_null(), "one page holds them all: {body}");
    body["data"]
        .as_array()
        .expect("agents")
        .iter()
        .map(|a| Account {
            vendor: "DIXA".into(),
            vendor_id: a["id"].as_str().unwrap().to_owned(),
            name: a["displayName"].as_str().unwrap().to_owned(),
        })
        .collect()
}

/// Webex's own list of the organisation's available agents (`query`: Webex's filters,
/// `&name=value`), read from the simulator.
async fn webex_agents(app: &TestApp, query: &str) -> Vec<Account> {
    let url = format!(
        "http://{}/webex/v1/telephony/config/supervisors/availableAgents?max=1000{query}",
        app.sims.addr
    );
    let body: Value = app
        .client
        .get(url)
        .bearer_auth(webex::DEMO_TOKEN)
        .send()
        .await
        .expect("Webex answers")
        .json()
        .await
        .expect("JSON");
    body["agents"]
        .as_array()
        .unwrap_or_else(|| panic!("agents: {body}"))
        .iter()
        .map(|a| Account {
            vendor: "WEBEX".into(),
            vendor_id: a["id"].as_str().unwrap().to_owned(),
            name: a["displayName"].as_str().unwrap().to_owned(),
        })
        .collect()
}

/// Huawei AICC's own list of agent accounts (of `types`, AICC's codes; all when empty),
/// read from the simulator with a token of its own.
async fn aicc_agents(app: &TestApp, types: &[i32]) -> Vec<Account> {
    let post = |path: &str, token: Option<String>, body: Value| {
        let mut request = app
            .client
            .post(format!("http://{}/huawei{path}", app.sims.addr))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            request
                .send()
                .await
                .expect("AICC answers")
                .json::<Value>()
                .await
                .expect("JSON")
        }
    };
    let token = post(
        "/apigovernance/api/oauth/tokenByAkSk",
        None,
        json!({ "app_key": huawei::DEMO_APP_KEY, "app_secret": huawei::DEMO_APP_SECRET }),
    )
    .await;
    let token = token["AccessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("a token: {token}"))
        .to_owned();
    let mut query = json!({ "pageNum": 0, "pageSize": 100 });
    if !types.is_empty() {
        query["agentType"] = json!(types);
    }
    let body = post(
        "/apiaccess/rest/cc-management/v1/agentAccount/query",
        Some(token),
        query,
    )
    .await;
    let data = body["data"].as_array().unwrap_or_else(|| panic!("data: {body}"));
    assert_eq!(body["total"], data.len(), "one page holds them all");
    data.iter()
        .map(|a| Account {
            vendor: "HUAWEI_AICC".into(),
            vendor_id: a["userAccount"].as_str().unwrap().to_owned(),
            name: a["userName"].as_str().unwrap().to_owned(),
        })
        .collect()
}

/// Every vendor's own list of agents, by vendor, read from the simulators (and, for
/// Vonage, `users`, whose `agent` is the account). `with_vonage` false leaves Vonage out
/// (so its list is not read). Each read is one call the vendor counts.
async fn vendor_lists(app: &TestApp, with_vonage: bool) -> HashMap<&'static str, Vec<Account>> {
    let mut lists = HashMap::new();
    lists.insert("WEBEX", webex_agents(app, "").await);
    lists.insert("HUAWEI_AICC", aicc_agents(app, &[]).await);
    lists.insert("DIXA", dixa_agents(app).await);
    if with_vonage {
        let users = app
            .data(
                "{ users(first: 500) { totalCount nodes { agent { vendorId displayName } } } }",
                json!({}),
            )
            .await;
        let vonage: Vec<Account> = nodes(&users["users"])
            .iter()
            .filter(|u| !u["agent"].is_null())
            .map(|u| account("VONAGE", &u["agent"]))
            .collect();
        lists.insert("VONAGE", vonage);
    }
    for (vendor, list) in &lists {
        assert!(!list.is_empty(), "{vendor} lists agents");
    }
    lists
}

/// Pages `agents(filter: $f, first: $n)` to the end: every node, and the totalCount of
/// each page.
async fn page_all(app: &TestApp, filter: Value, first: usize, fields: &str) -> (Vec<Value>, Vec<u64>) {
    let query = format!(
        "query($f: AgentFilter, $n: Int, $a: String) {{ agents(filter: $f, first: $n, after: $a) {{
           totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ cursor node {{ {fields} }} }} }} }}"
    );
    let (mut all, mut totals) = (Vec::new(), Vec::new());
    let mut after = Value::Null;
    for page in 0.. {
        assert!(page < 200, "paging ends");
        let data = app
            .data(&query, json!({ "f": filter, "n": first, "a": after }))
            .await;
        let c = &data["agents"];
        let edges = c["edges"].as_array().unwrap();
        assert!(edges.len() <= first, "a page holds at most `first`");
        assert_eq!(c["pageInfo"]["hasPreviousPage"], page > 0, "{c}");
        totals.push(c["totalCount"].as_u64().unwrap());
        all.extend(edges.iter().map(|e| e["node"].clone()));
        if let Some(last) = edges.last() {
            assert_eq!(c["pageInfo"]["endCursor"], last["cursor"]);
        }
        if c["pageInfo"]["hasNextPage"] != true {
            break;
        }
        assert_eq!(edges.len(), first, "only the last page is short");
        after = c["pageInfo"]["endCursor"].clone();
    }
    (all, totals)
}

#[tokio::test]
async fn agents_page_through_every_vendor_once_in_the_documented_order() {
    let app = spawn_app().await;
    let lists = vendor_lists(&app, true).await;
    let mut expected: Vec<Account> = lists.values().flatten().cloned().collect();
    expected.sort_by_key(order_key);

    let (all, totals) = page_all(&app, Value::Null, 3, "vendor vendorId displayName").await;
    let got: Vec<Account> = all
        .iter()
        .map(|n| account(n["vendor"].as_str().unwrap(), n))
        .collect();
    // Every agent of every vendor exactly once, in the documented order.
    assert_eq!(got, expected);
    let unique: BTreeSet<(&str, &str)> = got
        .iter()
        .map(|a| (a.vendor.as_str(), a.vendor_id.as_str()))
        .collect();
    assert_eq!(unique.len(), got.len(), "no account twice");
    // totalCount is the sum of the vendors' own lists, on every page.
    let sum: usize = lists.values().map(Vec::len).sum();
    assert!(totals.iter().all(|t| *t == sum as u64), "{totals:?} vs {sum}");
    assert_eq!(totals.len(), sum.div_ceil(3));
    for vendor in ["WEBEX", "HUAWEI_AICC", "DIXA", "VONAGE"] {
        assert!(got.iter().any(|a| a.vendor == vendor), "{vendor} is in the list");
    }

    // Each vendor's list was read once for all those pages: once by the test above, once
    // by the graph (Vonage's by `users`, which the graph's list shares).
    assert_eq!(
        app.calls("webex", "GET /telephony/config/supervisors/availableAgents")
            .await,
        2
    );
    assert_eq!(app.calls("huawei", "POST /agentAccount/query").await, 2);
    assert_eq!(app.calls("dixa", "GET /agents").await, 2);
    assert_eq!(app.calls("vonage", "GET /users").await, 1);

    // A cursor from another list, or made up, is refused.
    let body = app
        .graphql("{ agents(after: \"b2Zmc2V0OjI\") { totalCount } }", json!({}))
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "after");
}

#[tokio::test]
async fn every_filter_narrows_the_list() {
    let app = spawn_app().await;
    let lists = vendor_lists(&app, true).await;
    let fields = "id vendor vendorId displayName email presence { availability }";
    let (everyone, _) = page_all(&app, Value::Null, 500, fields).await;
    let sum: usize = lists.values().map(Vec::len).sum();
    assert_eq!(everyone.len(), sum);

    // vendors
    let (some, totals) = page_all(&app, json!({ "vendors": ["VONAGE", "DIXA"] }), 500, fields).await;
    let vendors: BTreeSet<&str> = some.iter().map(|n| n["vendor"].as_str().unwrap()).collect();
    assert_eq!(vendors, BTreeSet::from(["DIXA", "VONAGE"]));
    assert_eq!(totals[0] as usize, lists["DIXA"].len() + lists["VONAGE"].len());

    // search: a case-insensitive substring of the name...
    let (garcia, _) = page_all(&app, json!({ "search": "gARCIA" }), 500, fields).await;
    let expected: Vec<&Value> = everyone
        .iter()
        .filter(|n| {
            n["displayName"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("garcia")
        })
        .collect();
    assert!(expected.len() >= 3, "Sofia Garcia has several agent accounts");
    assert_eq!(garcia.iter().collect::<Vec<_>>(), expected);
    // ... or of the email (a Webex agent's comes from its location's list).
    let (by_mail, _) = page_all(&app, json!({ "search": "OLIVER.NGUYEN@" }), 500, fields).await;
    let vendors: Vec<&str> = by_mail.iter().map(|n| n["vendor"].as_str().unwrap()).collect();
    assert_eq!(
        vendors,
        ["WEBEX", "HUAWEI_AICC", "DIXA", "VONAGE"],
        "{by_mail:#?}"
    );
    assert!(by_mail.iter().all(|n| {
        n["email"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("oliver.nguyen@example.com")
    }));

    // email: matched once normalised (case, spaces, plus tag).
    let (sofia, _) = page_all(
        &app,
        json!({ "email": "  SOFIA.GARCIA+anything@Example.com " }),
        500,
        fields,
    )
    .await;
    let emails: BTreeSet<&str> = sofia.iter().map(|n| n["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        BTreeSet::from(["Sofia.Garcia@example.com", "sofia.garcia@example.com"]),
        "the same email in two cases"
    );
    assert_eq!(sofia.len(), garcia.len());

    // teamId: the team's members (Dixa's).
    let team = app
        .data(
            "{ teams(first: 10) { nodes { id name members(first: 50) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    let tier1 = nodes(&team["teams"])
        .into_iter()
        .find(|t| t["name"] == "Tier 1 Support")
        .unwrap();
    let members: BTreeSet<String> = nodes(&tier1["members"])
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!members.is_empty());
    let (in_team, _) = page_all(&app, json!({ "teamId": tier1["id"] }), 500, fields).await;
    let ids: BTreeSet<String> = in_team
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, members);

    // availability: the agents whose presence says so; vendors without presence never.
    for availability in ["AVAILABLE", "AWAY", "OFFLINE"] {
        let (present, _) = page_all(&app, json!({ "availability": availability }), 500, fields).await;
        let expected: Vec<&Value> = everyone
            .iter()
            .filter(|n| n["presence"]["availability"] == availability)
            .collect();
        assert!(!expected.is_empty(), "someone is {availability}");
        assert_eq!(present.iter().collect::<Vec<_>>(), expected);
    }
    assert!(
        everyone
            .iter()
            .any(|n| n["vendor"] == "WEBEX" && n["presence"].is_null()),
        "Webex agents have no presence to match"
    );

    // The per-vendor filters narrow their vendor's part only, as the vendor narrows it.
    let webex_cx = webex_agents(&app, "&hasCxEssentials=true").await;
    let aicc_video = aicc_agents(&app, &[11]).await;
    let (narrowed, totals) = page_all(
        &app,
        json!({ "webex": { "hasCxEssentials": true }, "aicc": { "agentTypes": ["VIDEO"] } }),
        500,
        "vendor vendorId displayName",
    )
    .await;
    let of = |v: &str| -> Vec<Account> {
        narrowed
            .iter()
            .filter(|n| n["vendor"] == v)
            .map(|n| account(v, n))
            .collect()
    };
    let count = |v: &str| of(v).len();
    let sorted = |mut list: Vec<Account>| {
        list.sort_by_key(order_key);
        list
    };
    assert!(!webex_cx.is_empty() && !aicc_video.is_empty());
    assert_eq!(of("WEBEX"), sorted(webex_cx));
    assert_eq!(of("HUAWEI_AICC"), sorted(aicc_video));
    assert!(count("WEBEX") < lists["WEBEX"].len() && count("HUAWEI_AICC") < lists["HUAWEI_AICC"].len());
    assert_eq!(count("DIXA"), lists["DIXA"].len());
    assert_eq!(count("VONAGE"), lists["VONAGE"].len());
    assert_eq!(totals[0] as usize, narrowed.len());
    let sent = app.sims.sims.webex.control.requests();
    assert!(
        sent.iter()
            .any(|r| r.route == "GET /telephony/config/supervisors/availableAgents"
                && r.query
                    .as_deref()
                    .is_some_and(|q| q.contains("hasCxEssentials=true"))),
        "Webex's own filter went to Webex"
    );

    // Bad filters name their field, before any vendor call.
    for (filter, field) in [
        (json!({ "search": "  " }), "filter.search"),
        (json!({ "teamId": "nope" }), "filter.teamId"),
        (
            json!({ "webex": { "phoneNumber": "call me" } }),
            "filter.webex.phoneNumber",
        ),
    ] {
        let body = app
            .graphql(
                "query($f: AgentFilter) { agents(filter: $f) { totalCount } }",
                json!({ "f": filter }),
            )
            .await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
}

#[tokio::test]
async fn only_the_vendors_asked_for_are_called() {
    let app = spawn_app().await;
    const WEBEX_LIST: &str = "GET /telephony/config/supervisors/availableAgents";
    let data = app
        .data(
            "{ agents(filter: { vendors: [DIXA] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(data["agents"]["totalCount"].as_u64().unwrap() > 0);
    assert_eq!(app.calls("webex", WEBEX_LIST).await, 0);
    assert_eq!(app.calls("vonage", "GET /users").await, 0);
    // Those are the routes the lists are read from.
    app.data("{ agents(first: 1) { totalCount } }", json!({})).await;
    assert_eq!(app.calls("webex", WEBEX_LIST).await, 1);
    assert_eq!(app.calls("vonage", "GET /users").await, 1);
}

const LINKED: &str = "query($f: AgentFilter) { agents(filter: $f, first: 20) { nodes {
    id vendor vendorId email linkedAgents { id vendor email } } } }";

#[tokio::test]
async fn linked_agents_are_the_same_persons_accounts_elsewhere() {
    let app = spawn_app().await;
    // A second Dixa account for Ava, plus-addressed and in another case.
    app.sim(
        reqwest::Method::POST,
        "dixa",
        "/agents",
        Some(json!({ "displayName": "Ava Thompson (chat)", "email": "Ava.Thompson+chat@example.com" })),
    )
    .await;

    // Mia Okafor is on all four vendors: each account links the other three.
    let mia = app.data(LINKED, json!({ "f": { "search": "mia okafor" } })).await;
    let accounts = nodes(&mia["agents"]);
    let vendors: Vec<&str> = accounts.iter().map(|a| a["vendor"].as_str().unwrap()).collect();
    assert_eq!(vendors, ["WEBEX", "HUAWEI_AICC", "DIXA", "VONAGE"]);
    for a in &accounts {
        let linked: Vec<&str> = a["linkedAgents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect();
        let others: Vec<&str> = accounts
            .iter()
            .filter(|o| o["id"] != a["id"])
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        assert_eq!(linked, others, "{} links the other three", a["vendor"]);
    }

    // Sofia Garcia's email differs only in case between AICC and the others.
    let sofia = app
        .data(LINKED, json!({ "f": { "search": "sofia garcia" } }))
        .await;
    let accounts = nodes(&sofia["agents"]);
    let aicc = accounts.iter().find(|a| a["vendor"] == "HUAWEI_AICC").unwrap();
    let dixa = accounts.iter().find(|a| a["vendor"] == "DIXA").unwrap();
    assert_ne!(aicc["email"], dixa["email"]);
    assert!(
        aicc["email"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case(dixa["email"].as_str().unwrap())
    );
    let linked_vendors = |a: &Value| -> Vec<String> {
        a["linkedAgents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["vendor"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(linked_vendors(aicc), ["WEBEX", "DIXA"]);
    assert_eq!(linked_vendors(dixa), ["WEBEX", "HUAWEI_AICC"]);

    // Plus-addressing: both of Ava's Dixa accounts link to her AICC one.
    let ava = app
        .data(
            LINKED,
            json!({ "f": { "vendors": ["HUAWEI_AICC"], "search": "ava thompson" } }),
        )
        .await;
    let ava = &nodes(&ava["agents"])[0];
    let linked: Vec<&str> = ava["linkedAgents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        linked,
        [
            "ava.thompson@example.com",
            "ava.thompson@example.com",
            "Ava.Thompson+chat@example.com"
        ],
        "Webex, Dixa, then Dixa's plus-addressed account (its name sorts after)"
    );

    // Someone on one vendor only links nobody (while others' links are there).
    let priya = app
        .data(LINKED, json!({ "f": { "search": "priya raman" } }))
        .await;
    let priya = nodes(&priya["agents"]);
    assert_eq!(priya.len(), 1);
    assert_eq!(priya[0]["vendor"], "DIXA");
    assert_eq!(priya[0]["linkedAgents"], json!([]));
    assert!(PEOPLE.iter().any(|p| p.email == priya[0]["email"]));
}

#[tokio::test]
async fn supervisors_link_their_agent_accounts() {
    let app = spawn_app().await;
    let data = app
        .data(
            "{ supervisors { nodes { vendor displayName email linkedAgents { vendor email } } } }",
            json!({}),
        )
        .await;
    let supervisors = nodes(&data["supervisors"]);
    let find = |vendor: &str, name: &str| {
        supervisors
            .iter()
            .find(|s| s["vendor"] == vendor && s["displayName"] == name)
            .unwrap_or_else(|| panic!("{vendor} {name}"))
            .clone()
    };
    let ava = find("WEBEX", "Ava Thompson");
    // The Webex supervisor's email comes from the location lists.
    assert_eq!(ava["email"], "ava.thompson@example.com");
    let vendors: Vec<&str> = ava["linkedAgents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["vendor"].as_str().unwrap())
        .collect();
    // Her own vendor's agent account too (she also takes calls on Webex); not Vonage,
    // where she is an admin, not an agent.
    assert_eq!(vendors, ["WEBEX", "HUAWEI_AICC", "DIXA"]);
    let liam = find("VONAGE", "Liam Patel");
    let vendors: Vec<&str> = liam["linkedAgents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["vendor"].as_str().unwrap())
        .collect();
    // His own Vonage agent account too: he is a supervisor who acts as an agent there.
    assert_eq!(vendors, ["WEBEX", "HUAWEI_AICC", "DIXA", "VONAGE"]);
}

#[tokio::test]
async fn every_edge_of_an_agent_resolves() {
    let app = spawn_app().await;
    let query = "query($f: AgentFilter) { agents(filter: $f, first: 20) { nodes {
        id vendor displayName email
        supervisors { vendor displayName }
        user { id username userAccountConfiguration { role } agent { id } }
        presence { availability vendor }
        teams { name } } } }";
    let of = |data: &Value, vendor: &str| -> Value {
        nodes(&data["agents"])
            .into_iter()
            .find(|n| n["vendor"] == vendor)
            .unwrap_or_else(|| panic!("a {vendor} account in {data}"))
    };

    // Liam Patel: Ava supervises him on Webex; Vonage says nothing about supervisors.
    let liam = app.data(query, json!({ "f": { "search": "liam patel" } })).await;
    let webex = of(&liam, "WEBEX");
    assert_eq!(
        webex["supervisors"],
        json!([{ "vendor": "WEBEX", "displayName": "Ava Thompson" }])
    );
    assert_eq!(webex["email"], "liam.patel@example.com");
    assert_eq!(webex["presence"], Value::Null);
    assert_eq!(webex["teams"], json!([]));
    for vendor in ["HUAWEI_AICC", "DIXA", "VONAGE"] {
        assert_eq!(of(&liam, vendor)["supervisors"], Value::Null, "{vendor}");
    }
    // Oliver Nguyen is Emma's; Lucas Rossi is nobody's (while others are someone's).
    let oliver = app
        .data(
            query,
            json!({ "f": { "search": "oliver nguyen", "vendors": ["WEBEX"] } }),
        )
        .await;
    assert_eq!(
        of(&oliver, "WEBEX")["supervisors"],
        json!([{ "vendor": "WEBEX", "displayName": "Emma Schneider" }])
    );
    let lucas = app
        .data(
            query,
            json!({ "f": { "search": "lucas rossi", "vendors": ["WEBEX"] } }),
        )
        .await;
    assert_eq!(of(&lucas, "WEBEX")["supervisors"], json!([]));

    // user: a Vonage agent's own user, which links back with `agent`; another vendor's
    // account reaches the same user through the email.
    let vonage = of(&liam, "VONAGE");
    assert_eq!(vonage["user"]["agent"]["id"], vonage["id"]);
    assert_eq!(vonage["user"]["username"], "liam.patel");
    for vendor in ["WEBEX", "HUAWEI_AICC", "DIXA"] {
        assert_eq!(of(&liam, vendor)["user"]["id"], vonage["user"]["id"], "{vendor}");
    }
    // Ava is a Vonage admin: her Dixa account's user is that admin, who is no agent.
    let ava = app
        .data(
            query,
            json!({ "f": { "search": "ava thompson", "vendors": ["DIXA"] } }),
        )
        .await;
    let ava = of(&ava, "DIXA");
    assert_eq!(ava["user"]["username"], "ava.thompson");
    assert_eq!(ava["user"]["userAccountConfiguration"]["role"], "ADMIN");
    assert_eq!(ava["user"]["agent"], Value::Null);
    // presence and teams: Dixa's own.
    assert_eq!(ava["presence"]["vendor"], "DIXA");
    let teams: BTreeSet<&str> = ava["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(teams, BTreeSet::from(["Tier 1 Support", "VIP Care"]));
    assert_eq!(vonage["presence"]["vendor"], "VONAGE");
    // Someone only on Dixa has no Vonage user.
    let kofi = app
        .data(query, json!({ "f": { "search": "kofi boateng" } }))
        .await;
    let kofi = nodes(&kofi["agents"]);
    assert_eq!(kofi.len(), 1);
    assert_eq!(kofi[0]["user"], Value::Null);
    assert_eq!(kofi[0]["teams"], json!([]));
}

#[tokio::test]
async fn supervisors_cover_webex_and_vonage() {
    let app = spawn_app().await;
    let fields = "{ totalCount pageInfo { hasNextPage endCursor } nodes { id vendor displayName } }";
    let data = app
        .data(
            &format!(
                "{{ all: supervisors {fields}
                   webex: supervisors(filter: {{ vendors: [WEBEX] }}) {fields}
                   vonage: supervisors(filter: {{ vendors: [VONAGE] }}) {fields} }}"
            ),
            json!({}),
        )
        .await;
    let names = |c: &Value| -> Vec<(String, String)> {
        nodes(c)
            .iter()
            .map(|n| {
                (
                    n["vendor"].as_str().unwrap().to_owned(),
                    n["displayName"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        names(&data["all"]),
        [
            ("WEBEX", "Ava Thompson"),
            ("WEBEX", "Emma Schneider"),
            ("WEBEX", "Ethan Cohen"),
            ("VONAGE", "Liam Patel"),
            ("VONAGE", "Sofia Garcia"),
        ]
        .map(|(v, n)| (v.to_owned(), n.to_owned()))
    );
    assert!(names(&data["webex"]).iter().all(|(v, _)| v == "WEBEX"));
    assert!(names(&data["vonage"]).iter().all(|(v, _)| v == "VONAGE"));
    assert_eq!(
        data["all"]["totalCount"].as_u64().unwrap(),
        data["webex"]["totalCount"].as_u64().unwrap() + data["vonage"]["totalCount"].as_u64().unwrap()
    );

    // Paged two at a time across both vendors.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .data(
                &format!("query($a: String) {{ supervisors(first: 2, after: $a) {fields} }}"),
                json!({ "a": after }),
            )
            .await;
        seen.extend(names(&page["supervisors"]));
        if page["supervisors"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["supervisors"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, names(&data["all"]));

    // search and email reach Webex supervisors through their location emails.
    let found = app
        .data(
            &format!(
                "{{ s: supervisors(filter: {{ search: \"ETHAN.COHEN@\" }}) {fields}
                   e: supervisors(filter: {{ email: \"Sofia.Garcia@EXAMPLE.com\" }}) {fields} }}"
            ),
            json!({}),
        )
        .await;
    assert_eq!(
        names(&found["s"]),
        [("WEBEX".to_owned(), "Ethan Cohen".to_owned())]
    );
    assert_eq!(
        names(&found["e"]),
        [("VONAGE".to_owned(), "Sofia Garcia".to_owned())]
    );
    // Agents' cursors are not supervisors'.
    let agent_cursor = app
        .data("{ agents(first: 1) { pageInfo { endCursor } } }", json!({}))
        .await["agents"]["pageInfo"]["endCursor"]
        .clone();
    let body = app
        .graphql(
            "query($a: String) { supervisors(after: $a) { totalCount } }",
            json!({ "a": agent_cursor }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn a_failing_vendor_leaves_the_rest_of_the_answer() {
    let app = spawn_app().await;
    // Everything but Vonage, read before the fault (Vonage's list is not read yet, so no
    // cache can hide the fault).
    let lists = vendor_lists(&app, false).await;
    let mut expected: Vec<Account> = lists.values().flatten().cloned().collect();
    expected.sort_by_key(order_key);
    assert_eq!(app.calls("vonage", "GET /users").await, 0);

    app.fault("vonage", json!({ "route": "GET /users", "status": 503 }))
        .await;
    let query = "query($a: String) {
        agents(first: 500, after: $a) { totalCount pageInfo { hasNextPage endCursor }
          nodes { vendor vendorId displayName } }
        teams(first: 10) { totalCount }
        skillQueues(first: 5) { totalCount }
        webexLocations(first: 5) { totalCount } }";
    let body = app.graphql(query, json!({})).await;
    let data = &body["data"];
    // The other vendors' parts are whole, and the other roots answered.
    let got: Vec<Account> = nodes(&data["agents"])
        .iter()
        .map(|n| account(n["vendor"].as_str().unwrap(), n))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(data["agents"]["totalCount"], expected.len());
    assert_eq!(data["teams"]["totalCount"], 3);
    assert_eq!(data["skillQueues"]["totalCount"], 7);
    assert_eq!(data["webexLocations"]["totalCount"], 2);
    // Vonage's part is missing, with its error.
    assert!(got.iter().all(|a| a.vendor != "VONAGE"));
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{body:#}");
    assert_eq!(errors[0]["extensions"]["vendor"], "VONAGE");
    assert_eq!(errors[0]["extensions"]["code"], "VENDOR_UNAVAILABLE");
    assert_eq!(errors[0]["path"], json!(["agents"]));
    assert!(app.calls("vonage", "GET /users").await > 0, "Vonage was asked");

    // Vonage's position stayed at the start: once it is back, the next page holds its
    // agents, and nobody is listed twice.
    // Every answering vendor is listed to its end, but the failed one may have more:
    // the client is told to ask again.
    let cursor = data["agents"]["pageInfo"]["endCursor"].clone();
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], true);
    app.sim(reqwest::Method::DELETE, "vonage", "/faults", None).await;
    let rest = app.data(query, json!({ "a": cursor })).await;
    let vonage: Vec<Account> = nodes(&rest["agents"])
        .iter()
        .map(|n| account(n["vendor"].as_str().unwrap(), n))
        .collect();
    assert!(!vonage.is_empty());
    assert!(vonage.iter().all(|a| a.vendor == "VONAGE"), "{vonage:?}");
    let users = app
        .data(
            "{ users(first: 500) { nodes { agent { vendorId } } } }",
            json!({}),
        )
        .await;
    let agents = nodes(&users["users"])
        .iter()
        .filter(|u| !u["agent"].is_null())
        .count();
    assert_eq!(vonage.len(), agents);
}

#[tokio::test]
async fn an_account_removed_between_pages_makes_no_other_one_go_missing() {
    let app = spawn_app().await;
    let filter = json!({ "vendors": ["HUAWEI_AICC"] });
    let fields = "vendorId displayName details { ... on AiccAgentDetails { account } }";
    let (before, _) = page_all(&app, filter.clone(), 100, fields).await;
    assert!(before.len() >= 4, "the seed has a few AICC accounts");

    let query = format!(
        "query($f: AgentFilter, $a: String) {{ agents(filter: $f, first: 2, after: $a) {{
           pageInfo {{ endCursor }} nodes {{ {fields} }} }} }}"
    );
    let first = app.data(&query, json!({ "f": filter, "a": null })).await;
    let mut seen = nodes(&first["agents"]);
    // The first account of that page is deleted before the next page is read: a cursor
    // that counted accounts would now skip one.
    let gone = seen[0]["details"]["account"].as_str().unwrap().to_owned();
    app.data(
        "mutation($input: DeleteAgentAccountInput!) { deleteAgentAccount(input: $input) { account } }",
        json!({ "input": { "account": gone } }),
    )
    .await;
    let mut after = first["agents"]["pageInfo"]["endCursor"].clone();
    loop {
        let page = app.data(&query, json!({ "f": filter, "a": after })).await;
        let got = nodes(&page["agents"]);
        if got.is_empty() {
            break;
        }
        seen.extend(got);
        after = page["agents"]["pageInfo"]["endCursor"].clone();
    }
    let ids = |list: &[Value]| list.iter().map(|n| n["vendorId"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&seen), ids(&before), "every account once, none skipped");
}
