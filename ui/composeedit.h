#pragma once

#include <QPlainTextEdit>

// The compose box: Enter sends, Shift+Enter starts a new line, as in QQ and FeiQ. Pasting or dropping copied files
// or a picture does not insert text: they are handed on to be offered (filesPasted, picturePasted).
class ComposeEdit final : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit ComposeEdit(QWidget* parent = nullptr);
    QSize sizeHint() const override;

Q_SIGNALS:
    void sendRequested();
    void filesPasted(const QStringList& paths);
    void picturePasted(const QImage& image);

protected:
    bool event(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool canInsertFromMimeData(const QMimeData* source) const override;
    void insertFromMimeData(const QMimeData* source) override;
};
