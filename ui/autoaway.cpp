#include "autoaway.h"

#include <QCoreApplication>
#include <QEvent>

AutoAway::AutoAway(Messenger* messenger, QObject* parent)
    : QObject(parent)
    , m_messenger(messenger)
{
    m_lastInput.start();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &AutoAway::check);
    qApp->installEventFilter(this);
}

AutoAway::~AutoAway()
{
    qApp->removeEventFilter(this);
}

void AutoAway::setTimeout(qint64 timeoutMs, const QString& text)
{
    m_timeoutMs = std::max<qint64>(0, timeoutMs);
    m_text = text;
    m_lastInput.restart();
    if (m_timeoutMs > 0)
        m_timer.start(int(std::min<qint64>(m_timeoutMs, std::numeric_limits<int>::max())));
    else
        m_timer.stop();
}

bool AutoAway::eventFilter(QObject* watched, QEvent* event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
        m_lastInput.restart();
        if (m_messenger && m_messenger->isStatusAutomatic())
            m_messenger->setStatus(Status::Online);
        if (m_timeoutMs > 0 && !m_timer.isActive())
            m_timer.start(int(std::min<qint64>(m_timeoutMs, std::numeric_limits<int>::max())));
        break;
    default: break;
    }
    return QObject::eventFilter(watched, event);
}

void AutoAway::check()
{
    if (m_timeoutMs <= 0 || !m_messenger)
        return;
    const qint64 idle = m_lastInput.elapsed();
    if (idle < m_timeoutMs) {
        // Input came meanwhile: look again when the rest of the time is up.
        m_timer.start(int(m_timeoutMs - idle));
        return;
    }
    // Only from Online: an Away or Busy the user chose stays as it is.
    if (m_messenger->status().status == Status::Online)
        m_messenger->setStatus(Status::Away, m_text, true);
}
