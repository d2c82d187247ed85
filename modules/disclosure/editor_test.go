package disclosure

import "testing"

// TestEditorMarkupSurvivesSanitizer: every construct web/static/editor.js
// writes (its RENAME/KEEP tables and attrs) in the form it writes it, and
// the .docx conversion writes a subset of, passes the body's sanitiser
// unchanged, so what a clerk sees in the editor is what is stored. The
// browser test TestDisclosureBrowserEditor checks the same end to end.
func TestEditorMarkupSurvivesSanitizer(t *testing.T) {
	t.Parallel()
	policy := bodyPolicy()
	for _, html := range []string{
		"<h2>一、概况</h2><h3>（一）范围</h3><h4>1. 细目</h4><p>正文</p>",
		"<p><strong>加粗</strong><em>斜体</em><u>下划线</u><s>删除</s>H<sub>2</sub>O m<sup>2</sup></p>",
		"<p>第一行<br>第二行</p>",
		"<ul><li>甲<ul><li>甲一</li></ul></li><li>乙</li></ul><ol><li>第一</li><li>第二</li></ol>",
		`<table><caption>检查情况</caption><thead><tr><th colspan="2">表头</th></tr></thead><tbody><tr><td rowspan="2">甲</td><td>1</td></tr>` +
			`<tr><td></td></tr></tbody><tfoot><tr><td>合计</td><td>2</td></tr></tfoot></table>`,
		`<p><a href="https://yjj.example.gov.cn/a?b=1&amp;c=2" rel="nofollow">通知</a> <a href="mailto:gk@example.gov.cn" rel="nofollow">信箱</a> ` +
			`<a href="/portal/340102/disclosures" rel="nofollow">本站</a></p>`,
		`<p><a href="https://example.gov.cn/" rel="nofollow"><strong><em>粗斜链接</em></strong></a></p>`,
		"<blockquote><p>引文</p></blockquote><pre><code>代码</code></pre><hr>",
		`<p><img src="https://example.gov.cn/a.png" alt="图"></p>`,
		"<p>&lt;script&gt; &amp; &#34;引号&#34; &#39;单引号&#39; 1 &gt; 0</p>",
		"<p>不换行\u00a0空格\u3000全角空格</p>",
	} {
		if got := policy.Sanitize(html); got != html {
			t.Errorf("the sanitiser changed editor markup:\n in  %s\n out %s", html, got)
		}
	}
}
