package cisco

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// node is an XML element with either text or children, written in the
// order it was built.
type node struct {
	name  string
	attrs [][2]string
	text  string
	kids  []*node
}

// add appends an empty child element and returns it.
func (n *node) add(name string, attrs ...[2]string) *node {
	k := &node{name: name, attrs: attrs}
	n.kids = append(n.kids, k)
	return k
}

// leaf appends a child element holding text.
func (n *node) leaf(name, text string) {
	n.add(name).text = text
}

// child returns the i-th (from 1) child named name, or nil.
func (n *node) child(name string, i int) *node {
	for _, k := range n.kids {
		if k.name == name {
			i--
			if i == 0 {
				return k
			}
		}
	}
	return nil
}

// count returns the number of children named name.
func (n *node) count(name string) int {
	c := 0
	for _, k := range n.kids {
		if k.name == name {
			c++
		}
	}
	return c
}

// set sets the text of the element at path, "a/b/c" or "a/b[2]/c": each
// segment names a child, [N] the Nth of that name (the first by
// default). Missing elements are appended; the element set loses its
// children.
func (n *node) set(path, value string) error {
	cur := n
	for _, seg := range strings.Split(path, "/") {
		name, i := seg, 1
		if open := strings.IndexByte(seg, '['); open >= 0 && strings.HasSuffix(seg, "]") {
			v, err := strconv.Atoi(seg[open+1 : len(seg)-1])
			if err != nil || v < 1 {
				return fmt.Errorf("cisco: raw key %q: bad index in %q", path, seg)
			}
			name, i = seg[:open], v
		}
		if !vendors.ValidXMLName(name) {
			return fmt.Errorf("cisco: raw key %q: %q is not an element name", path, name)
		}
		next := cur.child(name, i)
		if next == nil {
			if i != cur.count(name)+1 {
				return fmt.Errorf("cisco: raw key %q: no element %s", path, seg)
			}
			next = cur.add(name)
		}
		cur = next
	}
	cur.text, cur.kids = value, nil
	return nil
}

// write writes n and its children, indented by two spaces a level.
func (n *node) write(buf *bytes.Buffer, depth int) {
	indent := strings.Repeat("  ", depth)
	buf.WriteString(indent + "<" + n.name)
	for _, a := range n.attrs {
		buf.WriteString(" " + a[0] + "=\"" + vendors.EscapeXML(a[1]) + "\"")
	}
	if len(n.kids) == 0 {
		buf.WriteString(">" + vendors.EscapeXML(n.text) + "</" + n.name + ">\n")
		return
	}
	buf.WriteString(">\n")
	for _, k := range n.kids {
		k.write(buf, depth+1)
	}
	buf.WriteString(indent + "</" + n.name + ">\n")
}

// document returns root as an XML document.
func document(root *node) []byte {
	var buf bytes.Buffer
	buf.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	root.write(&buf, 0)
	return buf.Bytes()
}
