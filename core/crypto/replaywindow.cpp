#include "replaywindow.h"

ReplayWindow::Verdict ReplayWindow::check(quint64 counter) const
{
    if (counter == 0)
        return Verdict::TooOld;
    if (counter > m_highest)
        return Verdict::Fresh;
    if (m_highest - counter >= Size)
        return Verdict::TooOld;
    return m_seen.test(counter % Size) ? Verdict::Duplicate : Verdict::Fresh;
}

void ReplayWindow::accept(quint64 counter)
{
    if (check(counter) != Verdict::Fresh)
        return;
    if (counter > m_highest) {
        // The counters the window slides over were never seen: their bits, left from Size counters ago, go.
        if (counter - m_highest >= Size)
            m_seen.reset();
        else
            for (quint64 c = m_highest + 1; c < counter; ++c)
                m_seen.reset(c % Size);
        m_highest = counter;
    }
    m_seen.set(counter % Size);
}
