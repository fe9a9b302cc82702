#pragma once

#include "messenger.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

// Away after some time without keyboard, mouse, wheel or touch input in this application, and Online again at the
// next input if this class set the Away (Messenger::isStatusAutomatic); a status the user chose is never touched.
// Qt offers no desktop-wide idle time, so input in other programs does not count: someone working elsewhere for N
// minutes goes Away here too, and is back at the first touch of the Pigeon window.
class AutoAway final : public QObject {
    Q_OBJECT
public:
    // Watches the whole application's input (an event filter on qApp).
    explicit AutoAway(Messenger* messenger, QObject* parent = nullptr);
    ~AutoAway() override;

    // Away after `timeoutMs` ms without input (0: never), with `text` as the automatic answer (may be empty).
    void setTimeout(qint64 timeoutMs, const QString& text);
    qint64 timeoutMs() const { return m_timeoutMs; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void check();

    Messenger* m_messenger;
    QElapsedTimer m_lastInput;
    QTimer m_timer;
    qint64 m_timeoutMs = 0;
    QString m_text;
};
