#pragma once

#include <QtGlobal>

#include <bitset>

// Which packet counters of one direction of a secure channel were already accepted: a sliding window over the
// highest counter seen, as in IPsec (RFC 4303, section 3.4.3) and WireGuard. Counters start at 1. Within the last
// Size counters any order is fine and each counter is accepted once; older ones are refused. Memory: Size bits.
class ReplayWindow {
public:
    static constexpr quint64 Size = 1024;

    enum class Verdict {
        Fresh,     // not seen yet: open it, then accept()
        Duplicate, // seen and accepted before: a replay (or a retransmitted copy)
        TooOld,    // Size or more below the highest counter, or 0: cannot be told apart from a replay
    };

    Verdict check(quint64 counter) const;
    // Records `counter` as accepted; call only after the datagram authenticated (check() said Fresh).
    void accept(quint64 counter);
    quint64 highest() const { return m_highest; }

private:
    quint64 m_highest = 0;
    std::bitset<Size> m_seen; // bit counter % Size, for counters in (highest - Size, highest]
};
