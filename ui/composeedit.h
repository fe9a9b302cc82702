#pragma once

#include <QPlainTextEdit>

// The compose box: Enter sends, Shift+Enter starts a new line, as in QQ and FeiQ.
class ComposeEdit final : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit ComposeEdit(QWidget* parent = nullptr);
    QSize sizeHint() const override;

Q_SIGNALS:
    void sendRequested();

protected:
    bool event(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
};
