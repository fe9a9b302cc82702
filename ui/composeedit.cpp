#include "composeedit.h"

#include <QKeyEvent>

ComposeEdit::ComposeEdit(QWidget* parent)
    : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
    setPlaceholderText(tr("Write a message. Enter sends, Shift+Enter starts a new line."));
    setAccessibleName(tr("Message"));
}

QSize ComposeEdit::sizeHint() const
{
    return {QPlainTextEdit::sizeHint().width(), fontMetrics().lineSpacing() * 4 + 12};
}

bool ComposeEdit::event(QEvent* event)
{
    // Ctrl+Up/Down switch conversations even while typing.
    if (event->type() == QEvent::ShortcutOverride) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->modifiers() == Qt::ControlModifier && (key->key() == Qt::Key_Up || key->key() == Qt::Key_Down)) {
            event->ignore();
            return false;
        }
    }
    return QPlainTextEdit::event(event);
}

void ComposeEdit::keyPressEvent(QKeyEvent* event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        Q_EMIT sendRequested();
        return;
    }
    if (enter) {
        insertPlainText(QStringLiteral("\n"));
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}
