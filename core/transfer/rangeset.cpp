#include "rangeset.h"

quint64 RangeSet::add(quint64 begin, quint64 end)
{
    if (begin >= end)
        return 0;
    quint64 fresh = end - begin;
    auto it = m_ranges.upper_bound(begin);
    if (it != m_ranges.begin() && std::prev(it)->second >= begin)
        it = std::prev(it);
    while (it != m_ranges.end() && it->first <= end) {
        const quint64 overlap = std::min(end, it->second) - std::max(begin, it->first);
        if (it->second >= begin && it->first <= end && std::min(end, it->second) > std::max(begin, it->first))
            fresh -= overlap;
        begin = std::min(begin, it->first);
        end = std::max(end, it->second);
        it = m_ranges.erase(it);
    }
    m_ranges.emplace(begin, end);
    return fresh;
}

bool RangeSet::contains(quint64 begin, quint64 end) const
{
    auto it = m_ranges.upper_bound(begin);
    if (it == m_ranges.begin())
        return false;
    --it;
    return it->first <= begin && end <= it->second;
}

quint64 RangeSet::contiguous() const
{
    return !m_ranges.empty() && m_ranges.begin()->first == 0 ? m_ranges.begin()->second : 0;
}

QList<std::pair<quint64, quint64>> RangeSet::above(quint64 recent, int max) const
{
    QList<std::pair<quint64, quint64>> out;
    auto it = m_ranges.begin();
    if (it != m_ranges.end() && it->first == 0)
        ++it;
    auto holding = m_ranges.upper_bound(recent);
    if (holding != m_ranges.begin() && std::prev(holding)->first != 0 && std::prev(holding)->second > recent) {
        --holding;
        out.append({holding->first, holding->second});
    } else {
        holding = m_ranges.end();
    }
    for (; it != m_ranges.end() && out.size() < max; ++it)
        if (it != holding)
            out.append({it->first, it->second});
    return out;
}

void RangeSet::reset(quint64 contiguous)
{
    m_ranges.clear();
    if (contiguous > 0)
        m_ranges.emplace(0, contiguous);
}
