#include "upgradeprogress.h"

#include "history.h"

#include <QApplication>
#include <QProgressDialog>

UpgradeProgress::UpgradeProgress(History& history, QWidget* parent)
    : m_history(history)
    , m_parent(parent)
{
    m_history.setUpgradeProgress([this](int percent) { report(percent); });
}

UpgradeProgress::~UpgradeProgress()
{
    m_history.setUpgradeProgress({});
    delete m_dialog;
}

void UpgradeProgress::report(int percent)
{
    if (!m_dialog) {
        m_dialog = new QProgressDialog(m_parent);
        m_dialog->setWindowTitle(tr("Pigeon"));
        m_dialog->setLabelText(
            tr("Updating the message history to this version of Pigeon. This happens once and may take a while for a "
               "long history; nothing is lost if it is interrupted."));
        m_dialog->setCancelButton(nullptr);
        m_dialog->setRange(0, 100);
        m_dialog->setMinimumDuration(0);
        m_dialog->setAutoClose(false);
        m_dialog->setWindowModality(Qt::ApplicationModal);
        m_dialog->show();
    }
    m_dialog->setValue(percent);
    // The upgrade runs on this thread: let the dialog paint between its chunks.
    QApplication::processEvents(QEventLoop::ExcludeUserInputEvents);
    if (m_dialog->isVisible() && (m_shown.isEmpty() || m_shown.last() != percent))
        m_shown.append(percent);
    if (percent >= 100)
        m_dialog->close();
}
