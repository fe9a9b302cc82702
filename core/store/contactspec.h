#pragma once

#include "contactbook.h"

#include <QCoreApplication>
#include <QStringList>

#include <optional>

// The one parser of a contact written on a command line, `NAME HOST[:PORT] [OPTION...]`, as `pigeon contacts add`
// and the console's /add take it. HOST is an IPv4 address, a host name, a bare IPv6 address, or `[IPv6]:PORT`;
// PORT defaults to 2425 (parsePort checks it). The options, in any order and any case: `plain` (bare datagrams
// instead of IP Messenger) and a text encoding (`auto`, `utf-8`, `gbk`, `cp932`, or an alias that
// textcodec::encodingFromName takes). A new keyword is one more row in the Options table in contactspec.cpp.
class ContactSpec {
    Q_DECLARE_TR_FUNCTIONS(ContactSpec)
public:
    // The contact `words` describe (NAME, HOST[:PORT], options), not yet checked against a ContactBook; empty with
    // the reason in *error (a translated sentence) when the words are too few, the port is bad or an option unknown.
    static std::optional<Contact> parse(const QStringList& words, QString* error);
    // The option keywords, in the order the usage lines name them.
    static QStringList options();
    // "NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932]", for usage lines.
    static QString usage();
};
