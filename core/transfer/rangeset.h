#pragma once

#include <QList>
#include <QtGlobal>

#include <map>
#include <utility>

// Byte ranges of a stream that arrived: [begin, end) pairs merged as they come, for a receiver's SACKs.
class RangeSet {
public:
    // Adds [begin, end); returns how many of its bytes were new.
    quint64 add(quint64 begin, quint64 end);
    bool contains(quint64 begin, quint64 end) const;
    // Everything below this arrived.
    quint64 contiguous() const;
    // Up to `max` ranges above contiguous(), the one holding `recent` first (RFC 2018: the newest block first,
    // so a sender learns of the latest arrival even when there are more ranges than a SACK holds).
    QList<std::pair<quint64, quint64>> above(quint64 recent, int max) const;
    void reset(quint64 contiguous);

private:
    std::map<quint64, quint64> m_ranges; // begin -> end, disjoint and not touching
};
