#include "ratelimiter.h"

#include "endpoint.h"

namespace {

// A full table is searched for idle buckets at most this often, so a flood of new addresses costs no scans.
constexpr qint64 PurgeIntervalMs = 1000;

} // namespace

RateLimiter::RateLimiter()
    : RateLimiter(Limits{})
{
}

RateLimiter::RateLimiter(Limits limits)
    : m_limits(limits)
    , m_total{limits.totalBurst, 0}
    , m_overflow{limits.burst, 0}
{
}

double RateLimiter::Bucket::refill(double rate, double burst, qint64 nowMs)
{
    if (nowMs > lastMs)
        tokens = std::min(burst, tokens + double(nowMs - lastMs) * rate / 1000.0);
    lastMs = std::max(lastMs, nowMs);
    return tokens;
}

RateLimiter::Bucket* RateLimiter::bucketFor(const QHostAddress& source, qint64 nowMs)
{
    const QHostAddress key = normalized(source);
    if (const auto it = m_buckets.find(key); it != m_buckets.end())
        return &*it;
    if (m_buckets.size() >= m_limits.maxSources && nowMs - m_lastPurgeMs >= PurgeIntervalMs) {
        m_lastPurgeMs = nowMs;
        for (auto it = m_buckets.begin(); it != m_buckets.end();) {
            if (it->refill(m_limits.rate, m_limits.burst, nowMs) >= m_limits.burst)
                it = m_buckets.erase(it);
            else
                ++it;
        }
    }
    if (m_buckets.size() >= m_limits.maxSources)
        return &m_overflow;
    return &*m_buckets.insert(key, Bucket{m_limits.burst, nowMs});
}

bool RateLimiter::allow(const QHostAddress& source, qint64 nowMs)
{
    Bucket* bucket = bucketFor(source, nowMs);
    if (bucket->refill(m_limits.rate, m_limits.burst, nowMs) < 1)
        return false;
    if (m_total.refill(m_limits.totalRate, m_limits.totalBurst, nowMs) < 1)
        return false;
    bucket->tokens -= 1;
    m_total.tokens -= 1;
    return true;
}
