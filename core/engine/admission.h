#pragma once

#include "endpoint.h"
#include "ratelimiter.h"

#include <QHash>

#include <functional>

// Who may cost the engine what. Contacts pass; strangers are rate limited before their datagrams are decoded,
// refused outright with --contacts-only, and at most newStrangersPerHour of them an hour get a conversation. A
// stranger whose acknowledgements the engine waits for is never rate limited (its acks must get through).
class Admission {
public:
    using Clock = std::function<qint64()>; // ms

    // What a flood may cost. Contacts, and peers whose acknowledgements we are waiting for, are never rate limited.
    struct Limits {
        RateLimiter::Limits strangers; // datagrams per second from addresses that are no contact
        int newStrangersPerHour = 100; // distinct stranger address:ports whose messages are stored, per hour
        int maxPeers = 4096;           // peers tracked (presence, numbers); idle strangers beyond it are forgotten
    };
    enum class Verdict {
        Pass,
        Refused,     // a stranger with --contacts-only
        RateLimited, // over its own rate, or all strangers over theirs
    };
    // A stranger's conversation counts against newStrangersPerHour for this long, ms.
    static constexpr qint64 StrangerWindowMs = 3600 * 1000;

    explicit Admission(Clock clock);

    void setLimits(const Limits& limits);
    const Limits& limits() const { return m_limits; }
    // Refuse every datagram from addresses that are no contact (--contacts-only).
    void setContactsOnly(bool on) { m_contactsOnly = on; }
    bool isContactsOnly() const { return m_contactsOnly; }

    // Before decoding a datagram from `from`, a stranger (contacts always pass and are not screened): `awaited` when
    // the engine waits for an acknowledgement from it. Costs a hash look-up.
    Verdict screen(const Endpoint& from, bool awaited);
    // Whether a message from `from` may be stored (and so get a conversation). False for one stranger too many.
    bool admit(const Endpoint& from, bool contact);

    int rateSources() const { return m_rateLimiter.sources(); }
    int strangers() const { return int(m_strangers.size()); }

private:
    Clock m_clock;
    Limits m_limits;
    bool m_contactsOnly = false;
    RateLimiter m_rateLimiter;
    QHash<Endpoint, qint64> m_strangers; // strangers whose messages were stored, and since when (m_clock)
};
