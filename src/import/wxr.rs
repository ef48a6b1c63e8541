//! Reading a WordPress export (WXR 1.0 to 1.2, with `http` or `https`
//! namespaces, as every WordPress version has written them) into plain
//! structs: the channel, its authors, and every item with its comments and
//! meta values.
//!
//! Not for deciding what becomes of an item (`import`).

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

/// Namespaces of a WordPress export, told apart by their URIs (WordPress
/// has used `export/1.0/` to `export/1.2/`, over `http` and `https`).
#[derive(Clone, Copy)]
enum Ns {
    None,
    Wp,
    Content,
    Excerpt,
    Dc,
}

impl Ns {
    fn matches(self, uri: Option<&str>) -> bool {
        let wordpress = |u: &str| {
            u.strip_prefix("http://")
                .or_else(|| u.strip_prefix("https://"))
                .is_some_and(|rest| rest.starts_with("wordpress.org/export/"))
        };
        match (self, uri) {
            (Ns::None, uri) => uri.is_none(),
            (_, None) => false,
            (Ns::Wp, Some(u)) => wordpress(u) && !u.contains("/excerpt/"),
            (Ns::Excerpt, Some(u)) => wordpress(u) && u.contains("/excerpt/"),
            (Ns::Content, Some(u)) => u.ends_with("://purl.org/rss/1.0/modules/content/"),
            (Ns::Dc, Some(u)) => u.ends_with("://purl.org/dc/elements/1.1/"),
        }
    }
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: Ns,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |n| {
        n.is_element() && n.tag_name().name() == name && ns.matches(n.tag_name().namespace())
    })
}

/// The text of the first child element `name`, or empty.
fn text_of(node: Node, ns: Ns, name: &'static str) -> String {
    children(node, ns, name)
        .next()
        .map(|n| {
            n.descendants()
                .filter(roxmltree::Node::is_text)
                .map(|d| d.text().unwrap_or(""))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) struct Channel {
    pub(super) title: String,
    pub(super) link: String,
    pub(super) description: String,
    pub(super) language: String,
    pub(super) authors: Vec<ExportedAuthor>,
    pub(super) items: Vec<Item>,
}

pub(super) struct ExportedAuthor {
    pub(super) id: String,
    pub(super) login: String,
    pub(super) email: String,
    pub(super) display_name: String,
}

pub(super) struct Item {
    pub(super) title: String,
    pub(super) link: String,
    pub(super) creator: String,
    pub(super) content: String,
    pub(super) excerpt: String,
    pub(super) post_id: String,
    pub(super) post_date: String,
    pub(super) post_date_gmt: String,
    pub(super) post_name: String,
    pub(super) status: String,
    pub(super) post_type: String,
    pub(super) post_parent: String,
    pub(super) post_password: String,
    pub(super) is_sticky: bool,
    pub(super) comment_status: String,
    /// For an attachment: the file's URL.
    pub(super) attachment_url: String,
    pub(super) categories: Vec<Category>,
    /// `(key, value)` pairs of `wp:postmeta`.
    pub(super) meta: Vec<(String, String)>,
    pub(super) comments: Vec<WpComment>,
}

impl Item {
    /// The value of a `wp:postmeta` key, if set.
    pub(super) fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }
}

pub(super) struct Category {
    pub(super) domain: String,
    pub(super) nicename: String,
    pub(super) name: String,
}

pub(super) struct WpComment {
    pub(super) id: String,
    pub(super) author: String,
    pub(super) email: String,
    pub(super) url: String,
    pub(super) date: String,
    pub(super) date_gmt: String,
    pub(super) content: String,
    pub(super) approved: String,
    pub(super) kind: String,
    pub(super) parent: String,
    pub(super) user_id: String,
    /// `(key, value)` pairs of `wp:commentmeta`.
    pub(super) meta: Vec<(String, String)>,
}

/// The channel of a WXR document, if it is one.
pub(super) fn read_channel(doc: &roxmltree::Document) -> Option<Channel> {
    let rss = doc.root_element();
    if rss.tag_name().name() != "rss" {
        return None;
    }
    let channel = children(rss, Ns::None, "channel").next()?;
    Some(Channel {
        title: text_of(channel, Ns::None, "title"),
        link: text_of(channel, Ns::None, "link"),
        description: text_of(channel, Ns::None, "description"),
        language: text_of(channel, Ns::None, "language"),
        authors: children(channel, Ns::Wp, "author")
            .map(read_author)
            .collect(),
        items: children(channel, Ns::None, "item").map(read_item).collect(),
    })
}

fn read_author(node: Node) -> ExportedAuthor {
    ExportedAuthor {
        id: text_of(node, Ns::Wp, "author_id"),
        login: text_of(node, Ns::Wp, "author_login"),
        email: text_of(node, Ns::Wp, "author_email"),
        display_name: text_of(node, Ns::Wp, "author_display_name"),
    }
}

fn pairs(node: Node, element: &'static str) -> Vec<(String, String)> {
    children(node, Ns::Wp, element)
        .map(|m| {
            (
                text_of(m, Ns::Wp, "meta_key"),
                text_of(m, Ns::Wp, "meta_value"),
            )
        })
        .collect()
}

fn read_item(node: Node) -> Item {
    let wp = |name| text_of(node, Ns::Wp, name);
    Item {
        title: text_of(node, Ns::None, "title"),
        link: text_of(node, Ns::None, "link"),
        creator: text_of(node, Ns::Dc, "creator"),
        content: text_of(node, Ns::Content, "encoded"),
        excerpt: text_of(node, Ns::Excerpt, "encoded"),
        post_id: wp("post_id").trim().to_string(),
        post_date: wp("post_date"),
        post_date_gmt: wp("post_date_gmt"),
        post_name: wp("post_name"),
        status: wp("status").trim().to_string(),
        post_type: wp("post_type").trim().to_string(),
        post_parent: wp("post_parent").trim().to_string(),
        post_password: wp("post_password"),
        is_sticky: wp("is_sticky").trim() == "1",
        comment_status: wp("comment_status").trim().to_string(),
        attachment_url: wp("attachment_url").trim().to_string(),
        categories: children(node, Ns::None, "category")
            .map(|c| Category {
                domain: c.attribute("domain").unwrap_or_default().to_string(),
                nicename: c.attribute("nicename").unwrap_or_default().to_string(),
                name: c.text().unwrap_or_default().to_string(),
            })
            .collect(),
        meta: pairs(node, "postmeta"),
        comments: children(node, Ns::Wp, "comment")
            .map(read_comment)
            .collect(),
    }
}

fn read_comment(node: Node) -> WpComment {
    let wp = |name| text_of(node, Ns::Wp, name);
    WpComment {
        id: wp("comment_id").trim().to_string(),
        author: wp("comment_author"),
        email: wp("comment_author_email"),
        url: wp("comment_author_url"),
        date: wp("comment_date"),
        date_gmt: wp("comment_date_gmt"),
        content: wp("comment_content"),
        approved: wp("comment_approved").trim().to_string(),
        kind: wp("comment_type").trim().to_string(),
        parent: wp("comment_parent").trim().to_string(),
        user_id: wp("comment_user_id").trim().to_string(),
        meta: pairs(node, "commentmeta"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_namespace_version_is_read() {
        for scheme in ["http", "https"] {
            for version in ["1.0", "1.1", "1.2"] {
                let text = format!(
                    "<rss xmlns:wp=\"{scheme}://wordpress.org/export/{version}/\"><channel><item><wp:post_type>post</wp:post_type></item></channel></rss>"
                );
                let doc = roxmltree::Document::parse(&text).unwrap();
                let channel = read_channel(&doc).unwrap();
                assert_eq!(channel.items[0].post_type, "post", "{scheme} {version}");
            }
        }
    }
}
