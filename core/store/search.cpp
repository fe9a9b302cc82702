#include "search.h"

#include "schema.h"

#include <QRegularExpression>

#include <sqlite3.h>

namespace search {

namespace {

// How a character takes part in the short-term index: ideographs (CJK, written without spaces) give every character
// and every pair of neighbours, symbols (emoji) every character, word characters (letters, digits, marks of every
// other script) whole words of one or two characters; everything else separates.
enum class Kind { Separator, Ideograph, Symbol, Word };

Kind kindOf(char32_t c)
{
    // Most text of most chats is ASCII: decided without Unicode tables (a third of an append's cost otherwise).
    if (c < 0x80)
        return (c >= u'0' && c <= u'9') || ((c | 0x20) >= u'a' && (c | 0x20) <= u'z') ? Kind::Word : Kind::Separator;
    switch (QChar::script(c)) {
    case QChar::Script_Han:
    case QChar::Script_Hiragana:
    case QChar::Script_Katakana:
    case QChar::Script_Hangul:
    case QChar::Script_Bopomofo:
        if (QChar::isLetterOrNumber(c))
            return Kind::Ideograph;
        break;
    default: break;
    }
    // The prolonged sound mark (ー) and the repetition mark (々) belong to no script of their own.
    if (c == 0x30fc || c == 0x3005)
        return Kind::Ideograph;
    switch (QChar::category(c)) {
    case QChar::Symbol_Other: return Kind::Symbol;
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
    case QChar::Other_PrivateUse: return Kind::Word;
    default: return QChar::isLetterOrNumber(c) ? Kind::Word : Kind::Separator;
    }
}

// Appends the short-index terms of `text` to *terms (and its short words to *words): every character of an
// ideograph run and every pair of neighbours in it, every symbol, every word of at most two characters. One pass
// over the UTF-16 text, without copying it to code points.
void collectTerms(const QString& text, QStringList* terms, QStringList* words)
{
    const qsizetype size = text.size();
    // The run being read: its kind, where it starts, how many code points it has, where its last one starts.
    Kind kind = Kind::Separator;
    qsizetype start = 0;
    qsizetype count = 0;
    qsizetype previous = 0;
    const auto endRun = [&](qsizetype end) {
        if (kind == Kind::Word && count <= 2) {
            terms->append(text.mid(start, end - start));
            if (words)
                words->append(terms->last());
        }
        kind = Kind::Separator;
    };
    for (qsizetype i = 0; i < size;) {
        char32_t c = text.at(i).unicode();
        qsizetype next = i + 1;
        if (QChar::isHighSurrogate(c) && next < size && text.at(next).isLowSurrogate())
            c = QChar::surrogateToUcs4(char16_t(c), text.at(next++).unicode());
        Kind k = kindOf(c);
        // A mark extends the word it follows; after anything else (a variation selector after an emoji) it is noise.
        if (k == Kind::Word && c >= 0x80 && QChar::isMark(c) && kind != Kind::Word)
            k = Kind::Separator;
        if (k != kind || k == Kind::Symbol) {
            endRun(i);
            kind = k;
            start = i;
            count = 0;
        }
        if (k == Kind::Ideograph) {
            terms->append(text.mid(i, next - i));
            if (count > 0)
                terms->append(text.mid(previous, next - previous));
        } else if (k == Kind::Symbol) {
            terms->append(text.mid(i, next - i));
        }
        ++count;
        previous = i;
        i = next;
    }
    endRun(size);
}

// An FTS5 string: double quotes around, a double quote inside doubled; FTS5 syntax inside it means nothing.
QString quoted(const QString& text)
{
    return u'"' + QString(text).replace(u'"', QStringLiteral("\"\"")) + u'"';
}

QString allOf(const QStringList& words)
{
    QStringList parts;
    for (const QString& w : words)
        parts.append(quoted(w));
    return parts.join(QStringLiteral(" AND "));
}

bool isWordChar(const QString& text, qsizetype at)
{
    if (at < 0 || at >= text.size())
        return false;
    char32_t c = text.at(at).unicode();
    if (text.at(at).isLowSurrogate() && at > 0)
        c = QChar::surrogateToUcs4(text.at(at - 1), text.at(at));
    else if (text.at(at).isHighSurrogate() && at + 1 < text.size())
        c = QChar::surrogateToUcs4(text.at(at), text.at(at + 1));
    return kindOf(c) == Kind::Word;
}

void find(const QString& text, const QString& needle, bool wholeWord, QList<Span>* out)
{
    if (needle.isEmpty())
        return;
    for (qsizetype at = text.indexOf(needle, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(needle, at + 1, Qt::CaseInsensitive)) {
        if (wholeWord && (isWordChar(text, at - 1) || isWordChar(text, at + needle.size())))
            continue;
        out->append({int(at), int(needle.size())});
    }
}

// The user-defined SQL function pigeon_short_terms(text) for the upgrade, which indexes in SQL.
void shortTermsFunction(sqlite3_context* context, int, sqlite3_value** args)
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
    const QByteArray terms = shortTerms(QString::fromUtf8(text, sqlite3_value_bytes(args[0]))).toUtf8();
    sqlite3_result_text(context, terms.constData(), int(terms.size()), SQLITE_TRANSIENT);
}

bool run(sqlite3* db, const QString& sql, qint64 from, qint64 to, QString* error)
{
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &statement, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(statement, 1, from);
        sqlite3_bind_int64(statement, 2, to);
        rc = sqlite3_step(statement);
    }
    if (rc != SQLITE_DONE)
        *error = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_finalize(statement);
    return rc == SQLITE_DONE;
}

} // namespace

QString Query::trigramMatch() const
{
    return allOf(longWords);
}

QString Query::shortTermMatch() const
{
    return allOf(shortTerms);
}

Query parse(const QString& text)
{
    // "a phrase" or a word without white space.
    static const QRegularExpression word(QStringLiteral("\"([^\"]*)\"?|(\\S+)"));
    Query query;
    for (auto it = word.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const QString w = m.captured(1).isNull() ? m.captured(2) : m.captured(1).trimmed();
        if (w.isEmpty())
            continue;
        if (w.toUcs4().size() >= 3) {
            if (!query.longWords.contains(w, Qt::CaseInsensitive))
                query.longWords.append(w);
            continue;
        }
        QStringList terms;
        collectTerms(w, &terms, &query.shortWords);
        for (const QString& term : std::as_const(terms))
            if (!query.shortTerms.contains(term, Qt::CaseInsensitive))
                query.shortTerms.append(term);
    }
    return query;
}

QString shortTerms(const QString& text)
{
    QStringList terms;
    collectTerms(text, &terms, nullptr);
    terms.removeDuplicates();
    return terms.join(u' ');
}

QList<Span> spans(const QString& text, const Query& query)
{
    QList<Span> found;
    for (const QString& w : query.longWords)
        find(text, w, false, &found);
    for (const QString& t : query.shortTerms)
        find(text, t, query.shortWords.contains(t), &found);
    std::sort(found.begin(), found.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
    QList<Span> merged;
    for (const Span& s : std::as_const(found)) {
        if (!merged.isEmpty() && s.start <= merged.last().start + merged.last().length)
            merged.last().length = std::max(merged.last().length, s.start + s.length - merged.last().start);
        else
            merged.append(s);
    }
    return merged;
}

QString excerpt(const QString& text, const QList<Span>& spans, int width, QList<Span>* shown)
{
    QString flat = text;
    for (QChar& c : flat)
        if (c == u'\n' || c == u'\r' || c == u'\t')
            c = u' ';
    shown->clear();
    qsizetype from = 0;
    qsizetype to = flat.size();
    if (flat.size() > width) {
        // A quarter of the room before the first match, so that it reads in context.
        from = spans.isEmpty() ? 0 : std::max<qsizetype>(0, spans.first().start - width / 4);
        to = std::min<qsizetype>(flat.size(), from + width);
        from = std::max<qsizetype>(0, std::min(from, to - width));
        if (from > 0 && flat.at(from).isLowSurrogate())
            ++from;
        if (to < flat.size() && flat.at(to).isLowSurrogate())
            --to;
    }
    const int shift = from > 0 ? 1 : 0; // the leading "…"
    for (const Span& s : spans) {
        const qsizetype start = std::max<qsizetype>(s.start, from);
        const qsizetype end = std::min<qsizetype>(s.start + s.length, to);
        if (start < end)
            shown->append({int(start - from + shift), int(end - start)});
    }
    return (from > 0 ? QStringLiteral("…") : QString()) + flat.mid(from, to - from) +
           (to < flat.size() ? QStringLiteral("…") : QString());
}

QString createTables()
{
    // Contentless (content=''): the text is in `messages`. columnsize=0: no per-row sizes, as nothing ranks by them.
    return QStringLiteral(
        "CREATE VIRTUAL TABLE message_trigrams USING fts5(text, content='', columnsize=0, tokenize='trigram');"
        "CREATE VIRTUAL TABLE message_shortterms USING fts5(terms, content='', columnsize=0, detail=none, "
        "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M* So'\");");
}

bool addFunctions(sqlite3* db, QString* error)
{
    if (sqlite3_create_function_v2(db, "pigeon_short_terms", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                   shortTermsFunction, nullptr, nullptr, nullptr) == SQLITE_OK)
        return true;
    *error = QString::fromUtf8(sqlite3_errmsg(db));
    return false;
}

bool indexRange(sqlite3* db, qint64 fromId, qint64 toId, QString* error)
{
    return run(db,
               schema::sql("INSERT INTO message_trigrams (rowid, text) SELECT id, text FROM messages "
                           "WHERE id > ?1 AND id <= ?2 AND flags & %{System} = 0 AND length(text) >= 3"),
               fromId, toId, error) &&
           run(db,
               schema::sql("INSERT INTO message_shortterms (rowid, terms) SELECT id, terms FROM (SELECT id, "
                           "pigeon_short_terms(text) AS terms FROM messages WHERE id > ?1 AND id <= ?2 "
                           "AND flags & %{System} = 0) WHERE terms <> ''"),
               fromId, toId, error);
}

} // namespace search
