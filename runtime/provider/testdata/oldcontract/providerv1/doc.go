// Package providerv1 is a frozen copy of the generated proto v1 code as it
// was before the chat contract grew tool fields (git show
// 6d3c26c:runtime/provider/proto/v1/). Never regenerate it: it stands for
// plugins and hosts built before the change.
package providerv1
