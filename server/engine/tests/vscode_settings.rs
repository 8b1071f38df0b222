//! The VS Code extension's settings (`contributes.configuration` in
//! `editors/vscode/package.json`) are generated from `CONFIG_KEYS`, the one description of
//! the configuration, and from the rule registry (for `threatmark.rules`). This test fails
//! when they drift; `UPDATE_VSCODE_SETTINGS=1 cargo test -p threatmark-engine --test
//! vscode_settings` rewrites that part of package.json and leaves the rest as it is.
//!
//! A setting is named after its `.threatmark.toml` key in camelCase
//! (`stale_after_months` → `threatmark.staleAfterMonths`), as VS Code settings are; the
//! extension turns the names back into the TOML keys the server reads
//! (`editors/vscode/src/config.ts`).

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};
use std::path::PathBuf;
use threatmark_engine::config::{CONFIG_KEYS, ConfigKeyDoc, ConfigValueKind};
use threatmark_engine::rules::RULES;

fn package_json() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../editors/vscode/package.json")
}

/// `stale_after_months` → `staleAfterMonths`.
fn camel_case(key: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The inverse, as the extension computes it (`camelToSnake` in `src/config.ts`).
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON object whose keys keep the order they are pushed in (serde_json's map sorts),
/// so the rewritten package.json reads `type`, `default`, `markdownDescription` in order.
#[derive(Default, Clone)]
struct Ordered(Vec<(String, Node)>);

#[derive(Clone)]
enum Node {
    Value(Value),
    Object(Ordered),
}

impl Ordered {
    fn with(self, key: &str, value: Value) -> Ordered {
        self.with_node(key, Node::Value(value))
    }

    fn with_object(self, key: &str, value: Ordered) -> Ordered {
        self.with_node(key, Node::Object(value))
    }

    fn with_node(mut self, key: &str, node: Node) -> Ordered {
        self.0.push((key.to_string(), node));
        self
    }
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                Node::Value(v) => map.serialize_entry(k, v)?,
                Node::Object(o) => map.serialize_entry(k, o)?,
            }
        }
        map.end()
    }
}

fn string_list() -> Ordered {
    Ordered::default()
        .with("type", json!("array"))
        .with_object("items", Ordered::default().with("type", json!("string")))
}

/// The default, written as TOML text in `CONFIG_KEYS`, as JSON.
fn default_as_json(doc: &ConfigKeyDoc) -> Value {
    let table: toml::Table = toml::from_str(&format!("value = {}", doc.default))
        .unwrap_or_else(|e| panic!("{}: default {:?} is not TOML: {e}", doc.key, doc.default));
    serde_json::to_value(&table["value"]).unwrap_or(Value::Null)
}

fn string_schema(choices: &[&str]) -> Ordered {
    let o = Ordered::default().with("type", json!("string"));
    if choices.is_empty() {
        o
    } else {
        o.with("enum", json!(choices))
    }
}

fn integer_schema() -> Ordered {
    Ordered::default()
        .with("type", json!("integer"))
        .with("minimum", json!(0))
}

fn value_schema(doc: &ConfigKeyDoc) -> Ordered {
    let table = |value: Ordered| {
        let mut o = Ordered::default().with("type", json!("object"));
        if !doc.table_keys.is_empty() {
            let mut props = Ordered::default();
            for k in doc.table_keys {
                props = props.with_object(k, value.clone());
            }
            o = o.with_object("properties", props);
        }
        if doc.key == "rules" {
            // Rule codes are open keys in CONFIG_KEYS; listing them lets the settings
            // editor complete and explain them.
            let mut props = Ordered::default();
            for r in RULES {
                let rule = string_schema(doc.choices).with(
                    "markdownDescription",
                    json!(format!("`{}`: {}", r.meta.name, r.meta.summary)),
                );
                props = props.with_object(r.meta.code, rule);
            }
            o = o.with_object("properties", props);
        }
        o.with_object("additionalProperties", value)
    };
    match doc.kind {
        ConfigValueKind::Boolean => Ordered::default().with("type", json!("boolean")),
        ConfigValueKind::Integer => integer_schema(),
        ConfigValueKind::String => string_schema(doc.choices),
        ConfigValueKind::StringList => string_list(),
        ConfigValueKind::StringListTable => table(string_list()),
        ConfigValueKind::IntegerTable => table(integer_schema()),
        ConfigValueKind::StringTable => table(string_schema(doc.choices)),
    }
}

fn description(doc: &ConfigKeyDoc) -> String {
    let mut text = doc
        .description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !doc.choices.is_empty() {
        let values: Vec<String> = doc.choices.iter().map(|c| format!("`{c}`")).collect();
        text.push_str(&format!(" Values: {}.", values.join(", ")));
    }
    text.push_str(&format!(
        "\n\nThe same as `{}` in `.threatmark.toml`; when the file sets it, the file wins.",
        doc.key
    ));
    text
}

/// The editor's own settings, which the server ignores.
fn editor_settings() -> Ordered {
    Ordered::default()
        .with_object(
            "threatmark.server.path",
            Ordered::default()
                .with("type", json!("string"))
                .with("default", json!(""))
                .with("scope", json!("machine-overridable"))
                .with(
                    "markdownDescription",
                    json!(
                        "The `threatmark` binary to run as the language server. When empty, the \
                         binary bundled with the extension is used, else `threatmark` from `PATH`. \
                         The *threatmark* output channel logs which one was chosen."
                    ),
                )
                .with("order", json!(0)),
        )
        .with_object(
            "threatmark.trace.server",
            string_schema(&["off", "messages", "verbose"])
                .with("default", json!("off"))
                .with(
                    "markdownDescription",
                    json!(
                        "Logs the messages between VS Code and the server to the *threatmark* \
                         output channel, for bug reports."
                    ),
                )
                .with("order", json!(1)),
        )
}

/// The whole `contributes.configuration` value.
fn configuration() -> Ordered {
    let mut properties = editor_settings();
    // `order` keeps the settings editor in the README's order rather than alphabetical.
    for (i, doc) in CONFIG_KEYS.iter().enumerate() {
        let setting = value_schema(doc)
            .with("default", default_as_json(doc))
            .with("markdownDescription", json!(description(doc)))
            .with("order", json!(i + 2));
        properties =
            properties.with_object(&format!("threatmark.{}", camel_case(doc.key)), setting);
    }
    Ordered::default()
        .with("title", json!("threatmark"))
        .with_object("properties", properties)
}

/// The byte range of the value of `"configuration"` inside `"contributes"`.
fn configuration_span(text: &str) -> Option<(usize, usize)> {
    let contributes = text.find("\"contributes\"")?;
    let key = text[contributes..].find("\"configuration\"")? + contributes;
    let colon = text[key..].find(':')? + key + 1;
    let start = colon + text[colon..].len() - text[colon..].trim_start().len();
    let mut values = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
    values.next()?.ok()?;
    Some((start, start + values.byte_offset()))
}

fn indent_of_line_at(text: &str, at: usize) -> &str {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    &line[..line.len() - line.trim_start().len()]
}

#[test]
fn vscode_settings_match_config_keys() {
    let path = package_json();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let package: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("package.json: {e}"));
    let expected = configuration();
    if package["contributes"]["configuration"]
        == serde_json::to_value(&expected).unwrap_or_default()
    {
        return;
    }
    if std::env::var_os("UPDATE_VSCODE_SETTINGS").is_none() {
        panic!(
            "editors/vscode/package.json's settings differ from CONFIG_KEYS: run \
             UPDATE_VSCODE_SETTINGS=1 cargo test -p threatmark-engine --test vscode_settings"
        );
    }
    let (start, end) = configuration_span(&text)
        .unwrap_or_else(|| panic!("package.json has no contributes.configuration to replace"));
    let indent = indent_of_line_at(&text, start).to_string();
    let pretty = serde_json::to_string_pretty(&expected).unwrap_or_default();
    let body = pretty.replace('\n', &format!("\n{indent}"));
    let updated = format!("{}{body}{}", &text[..start], &text[end..]);
    std::fs::write(&path, updated).unwrap_or_else(|e| panic!("cannot write package.json: {e}"));
}

#[test]
fn every_setting_name_maps_back_to_its_toml_key() {
    for doc in CONFIG_KEYS {
        assert_eq!(snake_case(&camel_case(doc.key)), doc.key);
    }
}

#[test]
fn a_rewrite_replaces_only_the_configuration() {
    let text = "{\n  \"contributes\": {\n    \"commands\": [],\n    \"configuration\": {\"a\": [1, {\"b\": \"}\"}]},\n    \"menus\": {}\n  }\n}\n";
    let (start, end) = configuration_span(text).unwrap_or((0, 0));
    assert_eq!(&text[start..end], "{\"a\": [1, {\"b\": \"}\"}]}");
    assert_eq!(indent_of_line_at(text, start), "    ");
}
