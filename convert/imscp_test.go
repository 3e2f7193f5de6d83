package convert

import (
	"strings"
	"testing"
)

func TestIMSCPStructure(t *testing.T) {
	manifest := `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1">
  <organizations default="ORG-B">
    <organization identifier="ORG-A"><title>A</title><item identifierref="R1"><title>wrong org</title></item></organization>
    <organization identifier="ORG-B">
      <title>Cells</title>
      <item identifier="I1" identifierref="R1"><title>The cell</title>
        <item identifier="I2" identifierref="R2"><title>Été &amp; hiver</title></item>
      </item>
      <item identifier="I3"><title>No resource</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="R1" type="webcontent" href="index.html"><file href="index.html"/></resource>
    <resource identifier="R2" type="webcontent"><file href="a.html"/><file href="sub\b.html"/></resource>
  </resources>
</manifest>`
	got, ok, err := imscpStructure(strings.NewReader(manifest))
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	want := `a:2:{i:0;a:4:{s:4:"href";s:10:"index.html";s:5:"title";s:8:"The cell";s:5:"level";i:0;s:8:"subitems";a:1:{i:0;a:4:{s:4:"href";s:10:"sub/b.html";s:5:"title";s:13:"Été & hiver";s:5:"level";i:1;s:8:"subitems";a:0:{}}}}i:1;a:4:{s:4:"href";s:0:"";s:5:"title";s:11:"No resource";s:5:"level";i:0;s:8:"subitems";a:0:{}}}`
	if got != want {
		t.Errorf("structure\n got %s\nwant %s", got, want)
	}
	if _, ok, _ := imscpStructure(strings.NewReader(`<manifest><resources/></manifest>`)); ok {
		t.Error("a manifest without organizations gave a structure")
	}
}
