#include "composeedit.h"

#include <QImage>
#include <QKeyEvent>
#include <QMimeData>
#include <QUrl>

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

namespace {

QStringList localFiles(const QMimeData* source)
{
    QStringList paths;
    if (source->hasUrls())
        for (const QUrl& url : source->urls())
            if (url.isLocalFile())
                paths.append(url.toLocalFile());
    return paths;
}

} // namespace

bool ComposeEdit::canInsertFromMimeData(const QMimeData* source) const
{
    return source->hasImage() || !localFiles(source).isEmpty() || QPlainTextEdit::canInsertFromMimeData(source);
}

void ComposeEdit::insertFromMimeData(const QMimeData* source)
{
    // Copied files come with their paths as text too: the files win. A picture copied from a web page comes with
    // its address: the picture wins.
    if (const QStringList paths = localFiles(source); !paths.isEmpty()) {
        Q_EMIT filesPasted(paths);
        return;
    }
    if (source->hasImage()) {
        const QImage image = qvariant_cast<QImage>(source->imageData());
        if (!image.isNull()) {
            Q_EMIT picturePasted(image);
            return;
        }
    }
    QPlainTextEdit::insertFromMimeData(source);
}
