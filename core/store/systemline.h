#pragma once

#include <QList>
#include <QString>
#include <QStringList>

// System lines ("You left the group.", "Alice came online.") are stored untranslated and translated when shown, so
// that the window, the console and `pigeon history` show them in the language of whoever reads them, not of the
// process that stored them. The stored text is "\x01tr" and a JSON array: the tr() context, the English source and
// one array of texts per %N argument. It is only ever made here, for Message::isSystem lines, which no datagram sets.
namespace systemline {

// The stored form of `source`, an English text of tr() context `context` marked with QT_TR_NOOP so that lupdate
// finds it. Each of `arguments` fills its %N: one text, or several names, joined as the reader's language lists them
// ("Bob and Carol", "Bob和Carol").
QString make(const char* context, const char* source, const QList<QStringList>& arguments = {});

// What to show for a stored system line: one make() wrote, translated now with its arguments put in (each once: a %2
// inside an argument stays as it is); any other text (a line an earlier version stored in its language, or one that
// cannot be read) as stored.
QString render(const QString& stored);

} // namespace systemline
