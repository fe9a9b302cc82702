#pragma once

#include "history.h"

#include <QString>
#include <QStringList>

#include <functional>

struct sqlite3;

// The history database's layout and its upgrades. Each schema version is reached from the one before by one
// function (migrations.cpp), run in a transaction of its own; PRAGMA user_version says which version a file has.
namespace schema {

// Version 1: the first release (one `messages` table keyed by the peer's display name). Version 2: `conversations`
// with integer ids, messages referring to them, a summary per conversation (History brings it up to date in the
// transaction of its messages), and indexes that let start-up read a few pages whatever the size of the history.
// Version 3: the full-text indexes of the messages (search.h), kept in the transaction of each message up to version 5.
// Version 4: `transfers`, the files on their way in and out and their progress (core/transfer/).
// Version 5: group conversations (groupbook.h): groups, their members and the per-member delivery of what is sent
// to them.
// Version 6: `search_progress`, the highest message id the full-text indexes cover: History indexes messages in
// batches after their commit (their acknowledgement does not wait for the index), and catches up at open and before a
// search.
constexpr int Version = 6;

// Bits of messages.flags.
// AutoReply: an automatic answer (IPMsg AUTORETOPT), either way; no schema change, old rows have it clear.
// Sealed: an IP Messenger sealed message (SECRETOPT), in: not opened yet (its READMSG not sent), out: sent sealed.
enum Flag { Unread = 1, WantsReadReceipt = 2, System = 4, Fragmented = 8, AutoReply = 16, Sealed = 32 };

// Called during an upgrade with how far it is (0..100 %).
using Progress = std::function<void(int percent)>;

// SQL text with the named constants above (and Direction, MessageState) put in for %{...} names, so that the
// statements carry no bare numbers: "%{Queued}" -> the value of MessageState::Queued, "%{Unread}" -> Flag::Unread.
QString sql(const char* text);

// The statements that work out the summary of the conversations `condition` selects again from their messages
// (last chat message, newest sort key, unread count): at the upgrade, and after two conversations became one.
QStringList refreshSummary(const QString& condition);

// Upgrades the open database `db` at `path` from version `from` to Version, step by step, each in a transaction.
// Before the first step a file that holds data is copied aside to `backupPath` (SQLite's backup API, so the copy is
// consistent), and that copy is removed once every step committed. `progress` hears only of the upgrade of a file
// that holds data, not of a new file's tables. False with the reason in *error; the database is
// then as it was.
bool upgrade(sqlite3* db, int from, const QString& backupPath, const Progress& progress, QString* error);

} // namespace schema
