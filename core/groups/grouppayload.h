#pragma once

#include "roster.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

// The payload of a group datagram between Pigeons (Pigeon's private commands ipmsg::PigeonGroup, and
// ipmsg::PigeonGroupPart for the parts of a long one, cut as fragment.h cuts long text). UTF-8 lines:
//
//   PGRP/1 <T|R> <group id: 32 hex digits> <roster clock>\n
//   <group name>\n
//   T: the message text (the rest, any bytes of UTF-8)
//   R: <n>\n then n lines "<clock> <0|1 left> <ADDRESS:PORT or - for the sender> <member name>"
//
// A text carries the roster clock of its sender, so a receiver that holds another version asks for the roster
// (roster.h explains how the copies converge). Everything is bounded: names, the member list (Roster::MaxEntries),
// the text (fragment::MaxMessageBytes).
namespace grouppayload {

inline constexpr qsizetype IdBytes = 16;       // random 128 bits
inline constexpr qsizetype MaxNameBytes = 200; // a group's or a member's name, UTF-8
// An IP Messenger-family member gets a group text as an ordinary message, "[GROUP] TEXT".
QString ipmsgText(const QString& groupName, const QString& text);

enum class Kind { Text, Roster };

struct Payload {
    Kind kind = Kind::Text;
    QByteArray id; // IdBytes
    QString name;
    quint64 clock = 0;
    QString text;                 // Kind::Text
    QList<Roster::Entry> members; // Kind::Roster; endpoint "" is the sender
};

QByteArray encode(const Payload& payload);
// The payload in `bytes`, or nothing with the reason in *error: a bad header, an id that is not 128 bits of hex, a
// name or text that is not UTF-8 or too long, a member list over the bound or with a bad line.
std::optional<Payload> decode(QByteArrayView bytes, QString* error = nullptr);

} // namespace grouppayload
