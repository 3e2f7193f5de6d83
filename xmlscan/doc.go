// Package xmlscan is a fast streaming XML tokenizer for moodle.xml-like
// files: large (up to gigabytes), UTF-8, mostly elements and text.
//
// A Scanner reads an io.Reader and yields one token per call to Next: a start
// tag (name and raw attribute bytes), an end tag, character data (raw bytes,
// with AppendText to resolve the five predefined entities and numeric
// references), a comment, a processing instruction, a CDATA section or a
// directive. It tracks the element path (MOODLE_BACKUP/COURSE/HEADER), and the
// line, column and byte offset of every token and every error.
//
// Slices returned by Name, Attrs, Text, Raw and Path are views into the
// scanner's buffer: they stay valid only until the next call to Next, as with
// bufio.Scanner. Copy what you keep. In the steady state Next allocates
// nothing.
//
// # Well-formedness
//
// The scanner checks what makes a document not well-formed and what a 1.x
// backup typically suffers from: characters XML 1.0 forbids (C0 controls,
// U+FFFE, U+FFFF, also as &#...; references), bytes that are not UTF-8, bad
// '&' references, '<' that starts no markup, malformed tags, mismatched and
// unclosed elements, text or a second element outside the root. It does not
// read DTDs, check attribute uniqueness, or resolve namespaces.
//
// Without Options.OnError the first such error stops the scan: Next returns
// false and Err returns a *SyntaxError. With OnError set ("diagnose mode")
// each error is passed to OnError and the scan goes on, so one pass finds
// every problem; bad bytes stay in the token they were found in, so the Raw
// bytes of all tokens, concatenated, are exactly the input (minus a leading
// byte-order mark). Options.Keep is asked before an error is built, so a
// caller can count errors cheaply beyond the first few (a file full of
// legacy bytes has one error per byte).
//
// The scanner assumes UTF-8 whatever the XML declaration says; callers that
// accept other encodings transcode first.
//
// # Large tokens
//
// Character data longer than Options.MaxTokenSize is delivered in several
// consecutive CharData tokens; Partial reports that more of the same text
// follows. A chunk never ends inside a UTF-8 sequence or an entity reference,
// so each chunk can be decoded alone. Other tokens longer than MaxTokenSize
// are a fatal error. Memory use is bounded by about twice MaxTokenSize.
//
// # Example
//
//	s := xmlscan.New(r, xmlscan.Options{})
//	var text []byte
//	for s.Next() {
//		switch s.Kind() {
//		case xmlscan.StartElement:
//			text = text[:0]
//		case xmlscan.CharData:
//			text = s.AppendText(text)
//		case xmlscan.EndElement:
//			if string(s.Path()) == "MOODLE_BACKUP/COURSE/HEADER/FULLNAME" {
//				fmt.Printf("course: %s\n", text)
//			}
//		}
//	}
//	if err := s.Err(); err != nil {
//		return fmt.Errorf("moodle.xml: %w", err) // e.g. "line 12, column 7 (offset 345): ..."
//	}
//
// For a leaf element such as <NAME>x</NAME>, the text seen between its start
// and end tag is its value; a container's text is only indentation.
package xmlscan
