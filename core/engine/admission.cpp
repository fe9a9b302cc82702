#include "admission.h"

Admission::Admission(Clock clock)
    : m_clock(std::move(clock))
    , m_rateLimiter(m_limits.strangers)
{
}

void Admission::setLimits(const Limits& limits)
{
    m_limits = limits;
    m_rateLimiter = RateLimiter(limits.strangers);
}

Admission::Verdict Admission::screen(const Endpoint& from, bool awaited)
{
    if (m_contactsOnly)
        return Verdict::Refused;
    if (!awaited && !m_rateLimiter.allow(from.address, m_clock()))
        return Verdict::RateLimited;
    return Verdict::Pass;
}

bool Admission::admit(const Endpoint& from, bool contact)
{
    if (contact || m_strangers.contains(from))
        return true;
    const qint64 now = m_clock();
    if (m_strangers.size() >= m_limits.newStrangersPerHour)
        m_strangers.removeIf([now](const auto& entry) { return now - entry.value() > StrangerWindowMs; });
    if (m_strangers.size() >= m_limits.newStrangersPerHour)
        return false;
    m_strangers.insert(from, now);
    return true;
}
