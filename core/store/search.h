#pragma once

#include <QList>
#include <QString>
#include <QStringList>

struct sqlite3;

// Full-text search of the history: what goes into the two SQLite FTS5 indexes and how a query is read.
//
// - message_trigrams: the FTS5 trigram tokenizer over each chat message's text. A query word of three characters or
//   more is an FTS5 phrase there, which matches it anywhere in a message (inside words too, any script), Unicode
//   case folded ("Meeting" finds "MEETING").
// - message_shortterms: what the trigram tokenizer cannot find, because it needs three characters: for every run of
//   Chinese, Japanese or Korean characters each character and each pair of neighbours (so `会` and `文件` are single
//   terms), each symbol such as an emoji, and each other word of one or two letters or digits ("OK", "QQ", "12").
//   Terms made here at insert time, space separated, for FTS5's unicode61 tokenizer (which folds case); detail=none,
//   as single terms need no positions.
// Chosen over the alternative (LIKE '%会%' on the candidates of some other index) because a short Chinese word
// then is one doclist read in rowid order, newest first, however common the word: the first page costs the same
// for `会` in half the messages as for a rare word. Both indexes are contentless (the text is in `messages`
// already) and skip system lines; History adds messages to both in batches after their own commit (indexPending()).
namespace search {

// Characters [start, start + length) of a text, in UTF-16 code units as QString counts them.
struct Span {
    int start = 0;
    int length = 0;
    friend bool operator==(const Span&, const Span&) = default;
};

// A query as the indexes take it. Words are separated by white space; "double quotes" keep a phrase together.
// Every word must match (AND).
struct Query {
    QStringList longWords;  // three characters or more: substrings through message_trigrams
    QStringList shortTerms; // message_shortterms terms: CJK characters and pairs, symbols, short words
    QStringList shortWords; // of those, the words of letters or digits, which match whole words only
    bool isEmpty() const { return longWords.isEmpty() && shortTerms.isEmpty(); }
    // FTS5 MATCH expressions for each index; empty when no word goes there.
    QString trigramMatch() const;
    QString shortTermMatch() const;
};

Query parse(const QString& text);

// What message_shortterms holds for a message with this text: space-separated terms (empty when none).
QString shortTerms(const QString& text);

// Where the words of `query` occur in `text`, sorted and merged, for highlighting.
QList<Span> spans(const QString& text, const Query& query);

// At most about `width` characters of `text` around its first span, line breaks as spaces, with "…" where it was
// cut; *shown gets the spans moved to the excerpt (those that fall outside are dropped).
QString excerpt(const QString& text, const QList<Span>& spans, int width, QList<Span>* shown);

// The statements that create both indexes (empty tables).
QString createTables();
// Makes pigeon_short_terms(text) (shortTerms() in SQL) known to `db`, which indexRange() needs; once per connection
// (SQLite refuses to replace a function while statements are active). False with SQLite's reason in *error.
bool addFunctions(sqlite3* db, QString* error);
// Adds the messages with ids in (fromId, toId] to both indexes, in SQL; false with SQLite's reason in *error.
bool indexRange(sqlite3* db, qint64 fromId, qint64 toId, QString* error);

} // namespace search
