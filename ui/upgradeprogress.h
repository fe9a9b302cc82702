#pragma once

#include <QCoreApplication>
#include <QList>
#include <QPointer>

class History;
class QProgressDialog;
class QWidget;

// A progress dialog while the history database is upgraded at start-up. History::open upgrades an older schema
// step by step on the calling (GUI) thread, which for years of chat takes seconds (issue 9: up to 30 s for 2 000 000
// messages); without this the window would simply not appear meanwhile. The dialog shows on the first progress
// report, so an open without an upgrade shows nothing, and it closes when the upgrade reports 100 % or this object
// goes. It cannot be cancelled: a half-done upgrade is rolled back and kept aside by History, not left to the user.
class UpgradeProgress {
    Q_DECLARE_TR_FUNCTIONS(UpgradeProgress)
public:
    // Installs itself as `history`'s upgrade progress callback until destroyed.
    explicit UpgradeProgress(History& history, QWidget* parent = nullptr);
    ~UpgradeProgress();
    UpgradeProgress(const UpgradeProgress&) = delete;
    UpgradeProgress& operator=(const UpgradeProgress&) = delete;

    // Whether an upgrade ran and the dialog was on screen.
    bool wasShown() const { return !m_shown.isEmpty(); }
    // The percentages the dialog showed while on screen, in order (0..100).
    const QList<int>& shown() const { return m_shown; }

private:
    void report(int percent);

    History& m_history;
    QWidget* m_parent;
    QPointer<QProgressDialog> m_dialog;
    QList<int> m_shown;
};
