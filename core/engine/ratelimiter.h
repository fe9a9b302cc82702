#pragma once

#include <QHash>
#include <QHostAddress>

// Token buckets that keep a flood cheap: each source address may send `rate` datagrams per second (bursts up to
// `burst`), and all sources together `totalRate`. The table of sources is bounded: when it is full, buckets that
// have refilled (idle sources) are forgotten, and a new source that still finds no room draws from one overflow
// bucket shared by all such sources, so many addresses cannot buy more than one address's share each.
class RateLimiter {
public:
    struct Limits {
        double rate = 200;
        double burst = 400;
        double totalRate = 1000;
        double totalBurst = 2000;
        int maxSources = 4096;
    };

    RateLimiter();
    explicit RateLimiter(Limits limits);
    // Takes a token for one datagram from `source`; false when it is over its rate or everyone is over theirs.
    bool allow(const QHostAddress& source, qint64 nowMs);
    int sources() const { return int(m_buckets.size()); }
    const Limits& limits() const { return m_limits; }

private:
    struct Bucket {
        double tokens = 0;
        qint64 lastMs = 0;
        double refill(double rate, double burst, qint64 nowMs);
    };
    Bucket* bucketFor(const QHostAddress& source, qint64 nowMs);

    Limits m_limits;
    QHash<QHostAddress, Bucket> m_buckets;
    Bucket m_total;
    Bucket m_overflow;
    qint64 m_lastPurgeMs = 0;
};
