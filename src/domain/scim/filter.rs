//! SCIM filters (RFC 7644 §3.4.2.2), parsed into a tree over the attributes a resource
//! type lets clients filter on. Parsing is bounded (length, number of comparisons,
//! nesting), so no filter a client sends can grow into an unbounded query.

use super::{AttrPath, ScimError};

/// The longest filter accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 2048;
/// The most comparisons one filter may hold.
pub const MAX_COMPARISONS: usize = 24;
/// The most substring comparisons (`co`, `sw`, `ew`) one filter may hold: each is a pass
/// over the rows no index answers, so they are few.
pub const MAX_SUBSTRINGS: usize = 4;
/// The deepest nesting of parentheses, `not` and value paths.
const MAX_DEPTH: usize = 12;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `co`: contains.
    Co,
    /// `sw`: starts with.
    Sw,
    /// `ew`: ends with.
    Ew,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl Op {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }
}

/// A literal a filter compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A JSON string.
    Str(String),
    /// A JSON number.
    Num(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// A parsed filter over attributes `A`.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter<A> {
    /// `attr op value`.
    Compare(A, Op, Value),
    /// `attr pr`: has a value.
    Present(A),
    /// Both.
    And(Box<Self>, Box<Self>),
    /// Either.
    Or(Box<Self>, Box<Self>),
    /// Not.
    Not(Box<Self>),
}

/// Parses `raw`, resolving each attribute path by `resolve` (`None`: not filterable).
/// A value path `emails[type eq "work"]` reads as its filter over `emails.type`.
pub fn parse<A>(
    raw: &str,
    resolve: impl Fn(&AttrPath) -> Option<A>,
) -> Result<Filter<A>, ScimError> {
    if raw.len() > MAX_FILTER_LEN {
        return Err(invalid(format!(
            "the filter is longer than {MAX_FILTER_LEN} bytes"
        )));
    }
    if raw.chars().any(char::is_control) {
        return Err(invalid("the filter holds a control character"));
    }
    let tokens = tokenize(raw)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        comparisons: 0,
        substrings: 0,
        depth: 0,
        resolve: &resolve,
    };
    let filter = parser.or(None)?;
    match parser.peek() {
        None => Ok(filter),
        Some(token) => Err(invalid(format!("unexpected `{}`", token.shown()))),
    }
}

fn invalid(detail: impl Into<String>) -> ScimError {
    ScimError::InvalidFilter(detail.into())
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Str(String),
    Word(String),
}

impl Token {
    fn shown(&self) -> String {
        match self {
            Self::Open => "(".into(),
            Self::Close => ")".into(),
            Self::OpenBracket => "[".into(),
            Self::CloseBracket => "]".into(),
            Self::Str(s) => format!("{s:?}"),
            Self::Word(w) => w.clone(),
        }
    }
}

fn tokenize(raw: &str) -> Result<Vec<Token>, ScimError> {
    let mut tokens = Vec::new();
    let mut chars = raw.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
            }
            '"' => {
                // A JSON string: find its closing quote, skipping escaped characters.
                chars.next();
                let mut escaped = false;
                let mut end = None;
                for (i, c) in chars.by_ref() {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| invalid("a string is not closed"))?;
                let text: String = serde_json::from_str(&raw[start..=end])
                    .map_err(|_| invalid("a string is not valid JSON"))?;
                tokens.push(Token::Str(text));
            }
            _ => {
                let mut end = raw.len();
                while let Some(&(i, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"') {
                        end = i;
                        break;
                    }
                    chars.next();
                }
                tokens.push(Token::Word(raw[start..end].to_owned()));
            }
        }
    }
    Ok(tokens)
}

struct Parser<'r, A> {
    tokens: Vec<Token>,
    at: usize,
    comparisons: usize,
    substrings: usize,
    depth: usize,
    resolve: &'r dyn Fn(&AttrPath) -> Option<A>,
}

impl<A> Parser<'_, A> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, token: Token) -> Result<(), ScimError> {
        match self.next() {
            Some(found) if found == token => Ok(()),
            Some(found) => Err(invalid(format!(
                "expected `{}`, found `{}`",
                token.shown(),
                found.shown()
            ))),
            None => Err(invalid(format!("expected `{}` at the end", token.shown()))),
        }
    }

    fn nested<T>(
        &mut self,
        inner: impl FnOnce(&mut Self) -> Result<T, ScimError>,
    ) -> Result<T, ScimError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid(format!("the filter nests deeper than {MAX_DEPTH}")));
        }
        let result = inner(self);
        self.depth -= 1;
        result
    }

    /// `or` binds loosest, then `and`, then `not`.
    fn or(&mut self, parent: Option<&str>) -> Result<Filter<A>, ScimError> {
        let mut left = self.and(parent)?;
        while self.keyword("or") {
            self.next();
            let right = self.and(parent)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self, parent: Option<&str>) -> Result<Filter<A>, ScimError> {
        let mut left = self.unary(parent)?;
        while self.keyword("and") {
            self.next();
            let right = self.unary(parent)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, parent: Option<&str>) -> Result<Filter<A>, ScimError> {
        if self.keyword("not") {
            self.next();
            self.expect(Token::Open)?;
            let inner = self.nested(|p| p.or(parent))?;
            self.expect(Token::Close)?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.nested(|p| p.or(parent))?;
                self.expect(Token::Close)?;
                Ok(inner)
            }
            Some(Token::Word(word)) => self.attribute_expression(&word, parent),
            Some(other) => Err(invalid(format!("unexpected `{}`", other.shown()))),
            None => Err(invalid("the filter ends too early")),
        }
    }

    fn attribute_expression(
        &mut self,
        word: &str,
        parent: Option<&str>,
    ) -> Result<Filter<A>, ScimError> {
        let path = AttrPath::parse(word)?;
        let path = match parent {
            Some(parent) if path.sub.is_none() && path.urn.is_none() => AttrPath {
                urn: None,
                name: parent.to_owned(),
                sub: Some(path.name),
            },
            Some(_) => return Err(invalid(format!("`{word}` inside a value path"))),
            None => path,
        };
        if matches!(self.peek(), Some(Token::OpenBracket)) {
            if parent.is_some() || path.sub.is_some() {
                return Err(invalid(format!(
                    "value path `{word}[` is not supported here"
                )));
            }
            self.next();
            let name = path.name.clone();
            let inner = self.nested(|p| p.or(Some(&name)))?;
            self.expect(Token::CloseBracket)?;
            return Ok(inner);
        }
        let attribute = (self.resolve)(&path)
            .ok_or_else(|| invalid(format!("filtering on `{path}` is not supported")))?;
        self.comparisons += 1;
        if self.comparisons > MAX_COMPARISONS {
            return Err(invalid(format!(
                "the filter holds more than {MAX_COMPARISONS} comparisons"
            )));
        }
        let operator = match self.next() {
            Some(Token::Word(op)) => op,
            _ => return Err(invalid(format!("`{path}` needs an operator"))),
        };
        if operator.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present(attribute));
        }
        let op = Op::parse(&operator)
            .ok_or_else(|| invalid(format!("`{operator}` is not an operator")))?;
        if matches!(op, Op::Co | Op::Sw | Op::Ew) {
            self.substrings += 1;
            if self.substrings > MAX_SUBSTRINGS {
                return Err(invalid(format!(
                    "the filter holds more than {MAX_SUBSTRINGS} co, sw or ew comparisons"
                )));
            }
        }
        let value = match self.next() {
            Some(Token::Str(s)) => Value::Str(s),
            Some(Token::Word(w)) => match w.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                number => number
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(Value::Num)
                    .ok_or_else(|| invalid(format!("`{number}` is not a value")))?,
            },
            _ => return Err(invalid(format!("`{path} {operator}` needs a value"))),
        };
        Ok(Filter::Compare(attribute, op, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: &AttrPath) -> Option<String> {
        let known = [
            "username",
            "emails.value",
            "emails.type",
            "active",
            "name.formatted",
        ];
        let key = path.to_string().to_ascii_lowercase();
        known.contains(&key.as_str()).then_some(key)
    }

    fn p(raw: &str) -> Result<Filter<String>, ScimError> {
        parse(raw, names)
    }

    fn cmp(attr: &str, op: Op, value: Value) -> Filter<String> {
        Filter::Compare(attr.to_owned(), op, value)
    }

    #[test]
    fn parses_comparisons_in_any_case_and_with_the_core_urn() {
        let expected = cmp("username", Op::Eq, Value::Str("Alice@Contoso.com".into()));
        assert_eq!(p(r#"userName eq "Alice@Contoso.com""#).unwrap(), expected);
        assert_eq!(p(r#"USERNAME EQ "Alice@Contoso.com""#).unwrap(), expected);
        assert_eq!(
            p(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "Alice@Contoso.com""#)
                .unwrap(),
            expected
        );
        assert_eq!(
            p("active eq false").unwrap(),
            cmp("active", Op::Eq, Value::Bool(false))
        );
        assert_eq!(
            p("name.formatted pr").unwrap(),
            Filter::Present("name.formatted".to_owned())
        );
    }

    #[test]
    fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
        let a = || cmp("username", Op::Sw, Value::Str("a".into()));
        let b = || cmp("active", Op::Eq, Value::Bool(true));
        let c = || Filter::Present("emails.value".to_owned());
        assert_eq!(
            p(r#"userName sw "a" or active eq true and emails.value pr"#).unwrap(),
            Filter::Or(
                Box::new(a()),
                Box::new(Filter::And(Box::new(b()), Box::new(c())))
            )
        );
        assert_eq!(
            p(r#"(userName sw "a" or active eq true) and not (emails.value pr)"#).unwrap(),
            Filter::And(
                Box::new(Filter::Or(Box::new(a()), Box::new(b()))),
                Box::new(Filter::Not(Box::new(c())))
            )
        );
    }

    #[test]
    fn a_value_path_reads_as_a_filter_on_its_sub_attributes() {
        assert_eq!(
            p(r#"emails[type eq "work" and value co "@example.com"]"#).unwrap(),
            Filter::And(
                Box::new(cmp("emails.type", Op::Eq, Value::Str("work".into()))),
                Box::new(cmp(
                    "emails.value",
                    Op::Co,
                    Value::Str("@example.com".into())
                ))
            )
        );
    }

    #[test]
    fn strings_are_json_with_escapes() {
        assert_eq!(
            p(r#"userName eq "a \"quoted\" (name) and more""#).unwrap(),
            cmp(
                "username",
                Op::Eq,
                Value::Str(r#"a "quoted" (name) and more"#.into())
            )
        );
    }

    #[test]
    fn refuses_what_it_cannot_answer_exactly() {
        for bad in [
            "",
            "userName",
            r#"userName eq"#,
            r#"userName xx "a""#,
            r#"password eq "secret""#,
            r#"userName eq "a" and"#,
            r#"(userName eq "a""#,
            r#"userName eq "a"#,
            r#"userName eq "a" extra"#,
            r#"userName eq unquoted"#,
            r#"emails[value eq "a""#,
            "userName eq \"a\u{0}\"",
        ] {
            assert!(
                matches!(p(bad), Err(ScimError::InvalidFilter(_))),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn bounds_the_size_of_a_filter() {
        let many = vec![r#"userName eq "a""#; MAX_COMPARISONS + 1].join(" or ");
        assert!(matches!(p(&many), Err(ScimError::InvalidFilter(_))));
        let enough = vec![r#"userName eq "a""#; MAX_COMPARISONS].join(" or ");
        assert!(p(&enough).is_ok());
        let substrings = [r#"userName co "a""#; MAX_SUBSTRINGS + 1].join(" or ");
        assert!(matches!(p(&substrings), Err(ScimError::InvalidFilter(_))));
        let deep = format!("{}active pr{}", "(".repeat(40), ")".repeat(40));
        assert!(matches!(p(&deep), Err(ScimError::InvalidFilter(_))));
        let long = format!(r#"userName eq "{}""#, "a".repeat(MAX_FILTER_LEN));
        assert!(matches!(p(&long), Err(ScimError::InvalidFilter(_))));
    }
}
